# An aggregate that concatenates arrays: the observers of a window are the union of its weeks'
# observer ids in the weekly rollup (reports/attention.py counts them distinct).

from django.db import migrations

CREATE = """
CREATE AGGREGATE observations_array_concat(anycompatiblearray) (
    SFUNC = array_cat, STYPE = anycompatiblearray, INITCOND = '{}'
);
"""
DROP = "DROP AGGREGATE observations_array_concat(anycompatiblearray);"


class Migration(migrations.Migration):
    dependencies = [("observations", "0002_pillar_week_rollup")]

    operations = [migrations.RunSQL(CREATE, DROP)]
