"""The partial index of live observations by group, date and observer, built without blocking writes
(docs/migrations.md): the entries per staff member of many groups are counted from it alone."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("observations", "0010_pillarweek_atypical"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="observation",
            index=models.Index(
                condition=models.Q(("removed_at__isnull", True)),
                fields=["group", "date", "observer"],
                name="observation_live_group_date",
            ),
        ),
    ]
