from django.db import migrations, models
from django.db.models.functions import Now


def fail_exports_left_running(apps, schema_editor):
    """An export 'in progress' from before the lease has no worker coming back for it (its worker was
    stopped or killed): it fails honestly instead of staying 'bezig' forever."""
    BatchExport = apps.get_model("reports", "BatchExport")
    BatchExport.objects.filter(status="running").update(status="failed", error="interrupted", finished_at=Now())


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_batch_export"),
    ]

    operations = [
        migrations.AddField(
            model_name="batchexport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="batchexport",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fail_exports_left_running, migrations.RunPython.noop),
    ]
