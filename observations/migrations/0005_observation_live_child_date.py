"""The partial index of live observations by child and date, built without blocking writes
(docs/migrations.md): "last observed" reads one entry of it per child."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("observations", "0004_duo_observation"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="observation",
            index=models.Index(
                condition=models.Q(("removed_at__isnull", True)),
                fields=["child", "date"],
                name="observation_live_child_date",
            ),
        ),
    ]
