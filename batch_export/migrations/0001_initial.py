"""The batch export, moved here from the reports app with its table and rows: the model enters this
app's state only (the table `reports_batchexport` was made and shaped by reports' migrations 0003 and
0004, and keeps its name), its content type (with its permissions) follows it to this app, and the
tasks waiting in the queue under the task's old path (reports.batch.build_batch_export: exports asked
for, lease checks) are pointed at its new one, so that no export asked for before the update is lost."""

import django.contrib.postgres.fields
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

import batch_export.models

OLD_TASK, NEW_TASK = "reports.batch.build_batch_export", "batch_export.services.build_batch_export"
WAITING = ("READY", "RUNNING")  # django-tasks' statuses of a task still to run (or to run again)


def move_content_type(apps, schema_editor, old="reports", new="batch_export"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="batchexport").exists():
        ContentType.objects.filter(app_label=old, model="batchexport").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="batch_export", new="reports")


def point_waiting_tasks(apps, schema_editor, old=OLD_TASK, new=NEW_TASK):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=old, status__in=WAITING).update(task_path=new)


def point_waiting_tasks_back(apps, schema_editor):
    point_waiting_tasks(apps, schema_editor, old=NEW_TASK, new=OLD_TASK)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("organisations", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0016_remove_dbtaskresult_django_task_new_ordering_idx_and_more"),
        ("reports", "0005_merge_20261206_0744"),  # the table, as the model has it
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BatchExport",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("weeks", models.PositiveSmallIntegerField(verbose_name="weeks")),
                        ("language", models.CharField(default="nl", max_length=8)),
                        ("status", models.CharField(choices=[("queued", "waiting"), ("running", "in progress"), ("done", "ready"), ("failed", "failed"), ("expired", "expired")], default="queued", max_length=8, verbose_name="status")),
                        ("total", models.PositiveIntegerField(default=0)),
                        ("done", models.PositiveIntegerField(default=0)),
                        ("children", django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, size=None)),
                        ("failures", models.JSONField(blank=True, default=list)),
                        ("file", models.FileField(blank=True, storage=batch_export.models.exports_storage, upload_to="exports/")),
                        ("error", models.TextField(blank=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("lease_until", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                        ("group", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organisations.group", verbose_name="group")),
                        ("location", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organisations.location", verbose_name="location")),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organisations.organisation", verbose_name="organisation")),
                        ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="requested by")),
                    ],
                    options={
                        "verbose_name": "batch export",
                        "verbose_name_plural": "batch exports",
                        "db_table": "reports_batchexport",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(models.Q(("group__isnull", False), ("location__isnull", True)), models.Q(("group__isnull", True), ("location__isnull", False)), _connector="OR"),
                                name="batchexport_group_or_location",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
        migrations.RunPython(point_waiting_tasks, point_waiting_tasks_back),
    ]
