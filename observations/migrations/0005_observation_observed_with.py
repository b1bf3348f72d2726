"""Observed together with: a second person on an observation, who counts as an observer of its ratings.

The weekly rollup (migration 0002) counts them: its two functions are replaced so that the observers of a
week are the observers and whoever observed together with them, and a changed second person recounts the
weeks of the observation. Nothing to recount now: no observation has a second person yet.

`observations_observation` and its history are large tables (docs/migrations.md): the column is nullable,
the foreign key and the check are added NOT VALID (validated in 0006), the history's index is built
concurrently (0007).
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddConstraintNotValid
from django.db import migrations, models

RECOUNT = """
CREATE OR REPLACE FUNCTION observations_pillar_weeks_recount(p_children bigint[], p_weeks date[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Two transactions recounting the same child take turns: a lock per share of the children
    -- (the id modulo 256, so even a statement over thousands of children holds at most 256), taken
    -- in one order and before reading, so the statements below see what the other one committed.
    PERFORM pg_advisory_xact_lock(7301, s.k)
    FROM (SELECT DISTINCT (c % 256)::int AS k FROM unnest(p_children) AS c ORDER BY k) AS s;

    DELETE FROM observations_pillarweek AS pw
    USING (SELECT DISTINCT * FROM unnest(p_children, p_weeks) AS t(child_id, week)) AS t
    WHERE pw.child_id = t.child_id AND pw.week = t.week;

    INSERT INTO observations_pillarweek (
        child_id, week, pillar, ratings, low_clear, low_slight, typical, high_slight, high_clear,
        atypical_with_circumstances, observer_ids, atypical_observer_ids, circumstances_on_atypical
    )
    WITH pairs AS (
        SELECT DISTINCT * FROM unnest(p_children, p_weeks) AS t(child_id, week)
    ), rated AS (
        SELECT o.child_id, p.week, r.pillar, r.value, o.observer_id, o.observed_with_id, o.circumstances
        FROM pairs AS p
        JOIN observations_observation AS o
          ON o.child_id = p.child_id AND o.date >= p.week AND o.date < p.week + 7
         AND date_trunc('week', o.date)::date = p.week
        JOIN observations_pillarrating AS r ON r.observation_id = o.id
        WHERE o.removed_at IS NULL
    ), circumstances AS (
        SELECT child_id, week, pillar, jsonb_object_agg(code, n) AS counts
        FROM (
            SELECT child_id, week, pillar, code, count(*) AS n
            FROM rated, unnest(rated.circumstances) AS code
            WHERE value <> 0
            GROUP BY child_id, week, pillar, code
        ) AS per_code
        GROUP BY child_id, week, pillar
    )
    SELECT r.child_id, r.week, r.pillar,
           count(*),
           count(*) FILTER (WHERE r.value = -2),
           count(*) FILTER (WHERE r.value = -1),
           count(*) FILTER (WHERE r.value = 0),
           count(*) FILTER (WHERE r.value = 1),
           count(*) FILTER (WHERE r.value = 2),
           count(*) FILTER (WHERE r.value <> 0 AND r.circumstances <> '{}'),
           -- the observers and whoever observed together with them, distinct and ascending
           ARRAY(
               SELECT DISTINCT id FROM unnest(
                   array_agg(r.observer_id) || array_agg(r.observed_with_id) FILTER (WHERE r.observed_with_id IS NOT NULL)
               ) AS id ORDER BY id
           ),
           ARRAY(
               SELECT DISTINCT id FROM unnest(
                   array_agg(r.observer_id) FILTER (WHERE r.value <> 0)
                   || array_agg(r.observed_with_id) FILTER (WHERE r.value <> 0 AND r.observed_with_id IS NOT NULL)
               ) AS id ORDER BY id
           ),
           coalesce(c.counts, '{}')
    FROM rated AS r
    LEFT JOIN circumstances AS c USING (child_id, week, pillar)
    GROUP BY r.child_id, r.week, r.pillar, c.counts;
END $$;

CREATE OR REPLACE FUNCTION observations_observation_recount() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    children bigint[];
    weeks date[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(child_id), array_agg(date_trunc('week', date)::date) INTO children, weeks
        FROM old_rows WHERE removed_at IS NULL;
    ELSE
        WITH changed AS (
            SELECT o.child_id AS old_child, o.date AS old_date, o.removed_at IS NULL AS old_live,
                   n.child_id AS new_child, n.date AS new_date, n.removed_at IS NULL AS new_live
            FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE (o.child_id, o.date, o.observer_id, o.observed_with_id, o.circumstances, o.removed_at IS NULL)
                  IS DISTINCT FROM
                  (n.child_id, n.date, n.observer_id, n.observed_with_id, n.circumstances, n.removed_at IS NULL)
        ), touched AS (
            SELECT old_child AS child_id, old_date AS date FROM changed WHERE old_live
            UNION ALL
            SELECT new_child, new_date FROM changed WHERE new_live
        )
        SELECT array_agg(child_id), array_agg(date_trunc('week', date)::date) INTO children, weeks
        FROM touched;
    END IF;
    IF children IS NOT NULL THEN
        PERFORM observations_pillar_weeks_recount(children, weeks);
    END IF;
    RETURN NULL;
END $$;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION observations_pillar_weeks_recount(p_children bigint[], p_weeks date[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Two transactions recounting the same child take turns: a lock per share of the children
    -- (the id modulo 256, so even a statement over thousands of children holds at most 256), taken
    -- in one order and before reading, so the statements below see what the other one committed.
    PERFORM pg_advisory_xact_lock(7301, s.k)
    FROM (SELECT DISTINCT (c % 256)::int AS k FROM unnest(p_children) AS c ORDER BY k) AS s;

    DELETE FROM observations_pillarweek AS pw
    USING (SELECT DISTINCT * FROM unnest(p_children, p_weeks) AS t(child_id, week)) AS t
    WHERE pw.child_id = t.child_id AND pw.week = t.week;

    INSERT INTO observations_pillarweek (
        child_id, week, pillar, ratings, low_clear, low_slight, typical, high_slight, high_clear,
        atypical_with_circumstances, observer_ids, atypical_observer_ids, circumstances_on_atypical
    )
    WITH pairs AS (
        SELECT DISTINCT * FROM unnest(p_children, p_weeks) AS t(child_id, week)
    ), rated AS (
        SELECT o.child_id, p.week, r.pillar, r.value, o.observer_id, o.circumstances
        FROM pairs AS p
        JOIN observations_observation AS o
          ON o.child_id = p.child_id AND o.date >= p.week AND o.date < p.week + 7
         AND date_trunc('week', o.date)::date = p.week
        JOIN observations_pillarrating AS r ON r.observation_id = o.id
        WHERE o.removed_at IS NULL
    ), circumstances AS (
        SELECT child_id, week, pillar, jsonb_object_agg(code, n) AS counts
        FROM (
            SELECT child_id, week, pillar, code, count(*) AS n
            FROM rated, unnest(rated.circumstances) AS code
            WHERE value <> 0
            GROUP BY child_id, week, pillar, code
        ) AS per_code
        GROUP BY child_id, week, pillar
    )
    SELECT r.child_id, r.week, r.pillar,
           count(*),
           count(*) FILTER (WHERE r.value = -2),
           count(*) FILTER (WHERE r.value = -1),
           count(*) FILTER (WHERE r.value = 0),
           count(*) FILTER (WHERE r.value = 1),
           count(*) FILTER (WHERE r.value = 2),
           count(*) FILTER (WHERE r.value <> 0 AND r.circumstances <> '{}'),
           array_agg(DISTINCT r.observer_id ORDER BY r.observer_id),
           coalesce(array_agg(DISTINCT r.observer_id ORDER BY r.observer_id) FILTER (WHERE r.value <> 0), '{}'),
           coalesce(c.counts, '{}')
    FROM rated AS r
    LEFT JOIN circumstances AS c USING (child_id, week, pillar)
    GROUP BY r.child_id, r.week, r.pillar, c.counts;
END $$;

CREATE OR REPLACE FUNCTION observations_observation_recount() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    children bigint[];
    weeks date[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(child_id), array_agg(date_trunc('week', date)::date) INTO children, weeks
        FROM old_rows WHERE removed_at IS NULL;
    ELSE
        WITH changed AS (
            SELECT o.child_id AS old_child, o.date AS old_date, o.removed_at IS NULL AS old_live,
                   n.child_id AS new_child, n.date AS new_date, n.removed_at IS NULL AS new_live
            FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE (o.child_id, o.date, o.observer_id, o.circumstances, o.removed_at IS NULL)
                  IS DISTINCT FROM (n.child_id, n.date, n.observer_id, n.circumstances, n.removed_at IS NULL)
        ), touched AS (
            SELECT old_child AS child_id, old_date AS date FROM changed WHERE old_live
            UNION ALL
            SELECT new_child, new_date FROM changed WHERE new_live
        )
        SELECT array_agg(child_id), array_agg(date_trunc('week', date)::date) INTO children, weeks
        FROM touched;
    END IF;
    IF children IS NOT NULL THEN
        PERFORM observations_pillar_weeks_recount(children, weeks);
    END IF;
    RETURN NULL;
END $$;
"""

FOREIGN_KEY = """
ALTER TABLE observations_observation
    ADD CONSTRAINT observations_observation_observed_with_id_fk_staff_user_id
    FOREIGN KEY (observed_with_id) REFERENCES staff_user (id) DEFERRABLE INITIALLY DEFERRED NOT VALID;
"""
NO_FOREIGN_KEY = """
ALTER TABLE observations_observation DROP CONSTRAINT observations_observation_observed_with_id_fk_staff_user_id;
"""


def observed_with(**options):
    return models.ForeignKey(
        blank=True,
        null=True,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
        verbose_name="observed together with",
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0004_duo_observation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL("SET LOCAL lock_timeout = '5s'", migrations.RunSQL.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="historicalobservation",
                    name="observed_with",
                    field=observed_with(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING),
                ),
            ],
            database_operations=[
                migrations.AddField(
                    model_name="historicalobservation",
                    name="observed_with",
                    field=observed_with(
                        db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING
                    ),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="observation",
                    name="observed_with",
                    field=observed_with(db_index=False, on_delete=django.db.models.deletion.PROTECT),
                ),
            ],
            database_operations=[
                migrations.AddField(
                    model_name="observation",
                    name="observed_with",
                    field=observed_with(
                        db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT
                    ),
                ),
                migrations.RunSQL(FOREIGN_KEY, NO_FOREIGN_KEY),
            ],
        ),
        AddConstraintNotValid(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=~models.Q(observed_with=models.F("observer")), name="observation_observed_with_someone_else"
            ),
        ),
        migrations.RunSQL(RECOUNT, PREVIOUS),
    ]
