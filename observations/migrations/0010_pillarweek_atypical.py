"""The partial index of the rollup's weeks with an atypical rating, built without blocking writes
(docs/migrations.md): the attention points of many children read their candidates from it."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("observations", "0009_merge_home_visits"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pillarweek",
            index=models.Index(
                condition=models.Q(("ratings__gt", models.F("typical"))),
                fields=["child", "week", "pillar"],
                name="pillarweek_atypical",
            ),
        ),
    ]
