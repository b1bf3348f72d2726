"""The batch export moved to its own app (batch_export/migrations/0001_initial.py takes the model
over): the model leaves this app's state only. The table `reports_batchexport` and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_access_log_moves_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="BatchExport")],
            database_operations=[],
        ),
    ]
