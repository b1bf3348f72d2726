"""The history's index on the second person of an observation, built without blocking writes."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("observations", "0006_validate_observed_with")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS observations_historicalobservation_observed_with_id "
            "ON observations_historicalobservation (observed_with_id);",
            "DROP INDEX CONCURRENTLY IF EXISTS observations_historicalobservation_observed_with_id;",
        ),
    ]
