"""A handout marked ready is what the parents were handed: the database refuses any change to it (it may
only go as a whole, with the child's record). reports/prepared.py changes drafts only."""

from django.db import migrations

SQL = """
CREATE FUNCTION reports_ready_handout_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'prepared handout % is ready and is kept as it was handed over', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER reports_ready_handout_unchanged BEFORE UPDATE ON reports_preparedhandout
    FOR EACH ROW WHEN (OLD.status = 'ready') EXECUTE FUNCTION reports_ready_handout_unchanged();
"""

REVERSE = """
DROP TRIGGER reports_ready_handout_unchanged ON reports_preparedhandout;
DROP FUNCTION reports_ready_handout_unchanged();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_prepared_handout"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
