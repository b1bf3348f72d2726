"""Migrations that do not stop the service: no migration of the project's apps may lock a large table
(observations, ratings, the weekly rollup, the access log, the histories) for longer than an instant.

Every migration's SQL as `manage.py sqlmigrate` prints it goes through tests/migration_safety.py. The
migrations that ran before there was any data to lock are listed in BASELINE with the reason; every other
one, and every new one, must pass. docs/migrations.md gives the way around each rule.
"""

import io

import pytest
from django.contrib.postgres.operations import AddConstraintNotValid, AddIndexConcurrently, ValidateConstraint
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations import AddConstraint, AddField, AddIndex, AlterField, Migration, RunSQL
from django.db.migrations.loader import MigrationLoader

from tests.migration_safety import findings

pytestmark = pytest.mark.django_db

PROJECT_APPS = (
    "organisations", "staff", "devices", "children", "observations", "calibration", "conversations", "access_log",
    "reports", "batch_export", "privacy", "planning_import", "demo", "pages",
)  # fmt: skip

# Reviewed: migrations that the rules flag but that ran before any real data existed.
BASELINE = {
    ("reports", "0002_access_log_for_every_page"): (
        "ran before the first production deployment, while the access log was empty: its type change, "
        "foreign key and two indexes took an instant; a database created today runs it on an empty table too"
    ),
}


def project_migrations() -> list[tuple[str, str]]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted(key for key in loader.disk_migrations if key[0] in PROJECT_APPS)


def sqlmigrate(app: str, name: str) -> str:
    out = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # sqlmigrate of AddIndexConcurrently refuses to run inside a transaction
def test_no_migration_locks_a_large_table():
    flagged = {}
    for app, name in project_migrations():
        found = findings(sqlmigrate(app, name))
        if found and (app, name) not in BASELINE:
            flagged[f"{app}.{name}"] = [str(f) for f in found]
    assert flagged == {}, "Migrations that lock a large table (the way around: docs/migrations.md):\n" + "\n".join(
        f"{migration}:\n  " + "\n  ".join(items) for migration, items in flagged.items()
    )


def test_the_baseline_lists_only_migrations_that_exist_and_are_flagged():
    """A stale entry would let a future migration of that name pass unseen."""
    existing = set(project_migrations())
    for key, reason in BASELINE.items():
        assert key in existing, key
        assert findings(sqlmigrate(*key)), f"{key} is no longer flagged: take it out of BASELINE"
        assert reason


def collected_sql(*operations) -> str:
    """The SQL that Django writes for `operations` as a new migration of the observations app."""
    loader = MigrationLoader(connection)
    state = loader.project_state()
    atomic = not any(isinstance(op, AddIndexConcurrently) for op in operations)
    migration = type("Check", (Migration,), {"operations": list(operations), "atomic": atomic})(
        "9999_check", "observations"
    )
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        migration.apply(state, editor, collect_sql=True)
    return "\n".join(editor.collected_sql)


def rules_of(*operations) -> list[str]:
    return [f.rule for f in findings(collected_sql(*operations))]


@pytest.mark.django_db(transaction=True)  # AddIndexConcurrently refuses to run inside the test's transaction
def test_an_index_on_observations_needs_concurrently():
    index = models.Index(fields=["date", "situation"], name="obs_date_situation_check")
    assert rules_of(AddIndex("observation", index)) == ["index built without CONCURRENTLY"]
    assert rules_of(AddIndexConcurrently("observation", index)) == []


def test_a_check_constraint_on_ratings_needs_not_valid():
    check = models.CheckConstraint(condition=models.Q(value__gte=-2), name="rating_value_floor_check")
    assert rules_of(AddConstraint("pillarrating", check)) == [
        "foreign key or check constraint validated under a lock (add it NOT VALID, then VALIDATE)"
    ]
    assert rules_of(AddConstraintNotValid("pillarrating", check)) == []
    assert rules_of(ValidateConstraint("pillarrating", "rating_value_floor_check")) == []


def test_a_column_type_change_on_observations_is_flagged():
    wider = models.CharField(max_length=16, choices=[("a", "a")])
    assert "column type altered (rewrites the table)" in rules_of(
        AlterField("observation", "situation", models.TextField(choices=[("a", "a")]))
    )
    assert rules_of(AlterField("observation", "situation", wider)) == []


def test_a_foreign_key_added_to_a_history_table_is_flagged():
    field = models.ForeignKey("children.Child", null=True, on_delete=models.DO_NOTHING)
    rules = rules_of(AddField("historicalobservation", "extra_child", field))
    assert "foreign key or check constraint validated under a lock (add it NOT VALID, then VALIDATE)" in rules
    assert "index built without CONCURRENTLY" in rules


def test_not_null_without_default_backfill_and_set_not_null():
    assert rules_of(RunSQL('ALTER TABLE "children_child" ADD COLUMN "x" integer NOT NULL')) == [
        "NOT NULL column without a default"
    ]
    assert rules_of(RunSQL('ALTER TABLE "children_child" ADD COLUMN "x" integer DEFAULT 0 NOT NULL')) == []
    assert rules_of(RunSQL('ALTER TABLE "reports_accesslog" ALTER COLUMN "child_id" SET NOT NULL')) == [
        "SET NOT NULL (scans the table under a lock)"
    ]
    assert rules_of(RunSQL("UPDATE observations_observation SET version = version + 1")) == [
        "rows rewritten in the migration's transaction"
    ]
    # A function body does not run at migration time; a new, small table is not a large one.
    assert (
        rules_of(
            RunSQL(
                "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ UPDATE observations_observation SET version = 1 $$"
            )
        )
        == []
    )
    assert rules_of(RunSQL('CREATE TABLE "t_new" ("id" int); CREATE INDEX "t_i" ON "t_new" ("id")')) == []
