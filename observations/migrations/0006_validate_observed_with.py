"""The foreign key and the check of 0005, validated: a scan that lets reads and writes go on."""

from django.contrib.postgres.operations import ValidateConstraint
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("observations", "0005_observation_observed_with")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE observations_observation "
            "VALIDATE CONSTRAINT observations_observation_observed_with_id_fk_staff_user_id;",
            migrations.RunSQL.noop,
        ),
        ValidateConstraint(model_name="observation", name="observation_observed_with_someone_else"),
    ]
