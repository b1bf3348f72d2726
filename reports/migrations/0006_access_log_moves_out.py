"""The access log moved to its own app (access_log/migrations/0001_initial.py takes the model over):
the model leaves this app's state only. The table `reports_accesslog` and its rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_merge_20261206_0744"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AccessLog")],
            database_operations=[],
        ),
    ]
