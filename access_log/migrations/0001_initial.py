"""The access log, moved here from the reports app with its table and rows: the model enters this
app's state only (the table `reports_accesslog` was made and shaped by reports' migrations 0001 to
0005, and keeps its name), and its content type (with its permissions) follows it to this app."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="access_log", model="accesslog").exists():
        ContentType.objects.filter(app_label="reports", model="accesslog").update(app_label="access_log")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="reports", model="accesslog").exists():
        ContentType.objects.filter(app_label="access_log", model="accesslog").update(app_label="reports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("children", "0001_initial"),
        ("organisations", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0005_merge_20261206_0744"),  # the table, as the model has it
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("children", django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, help_text="On pages about a group: the ids of the children whose observations the page showed.", size=None, verbose_name="children shown")),
                        ("pseudonym", models.CharField(blank=True, help_text="Stands for a child whose record was removed.", max_length=20, verbose_name="pseudonym")),
                        ("action", models.CharField(choices=[("view", "viewed summary"), ("export", "exported PDF"), ("csv", "exported group overview (CSV)"), ("child", "viewed child page (timeline)"), ("observation", "viewed observation"), ("group", "viewed group day view"), ("overview", "viewed group overview"), ("location", "viewed location page"), ("mentors", "viewed mentor list"), ("conversation", "viewed parent conversation"), ("followup", "viewed conversations and agreements to follow up (home page)"), ("access", "exported all data (access request)"), ("removed", "record removed")], max_length=12, verbose_name="action")),
                        ("path", models.CharField(blank=True, max_length=200, verbose_name="page")),
                        ("observation_id", models.BigIntegerField(blank=True, null=True, verbose_name="observation")),
                        ("weeks", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="weeks")),
                        ("period_start", models.DateField(blank=True, null=True, verbose_name="period from")),
                        ("period_end", models.DateField(blank=True, null=True, verbose_name="period until")),
                        ("rule", models.CharField(blank=True, choices=[("retention", "retention period passed"), ("request", "erasure on request")], max_length=12, verbose_name="rule")),
                        ("details", models.JSONField(blank=True, default=dict, verbose_name="details")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="when")),
                        ("child", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="access_logs", to="children.child", verbose_name="child")),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="organisations.organisation", verbose_name="organisation")),
                        ("user", models.ForeignKey(blank=True, help_text="Empty for exports made from the command line.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "verbose_name": "access log entry",
                        "verbose_name_plural": "access log",
                        "db_table": "reports_accesslog",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(fields=["organisation", "-created_at"], name="accesslog_org_created"),
                            models.Index(fields=["child", "-created_at"], name="accesslog_child_created"),
                            django.contrib.postgres.indexes.GinIndex(fields=["children"], name="accesslog_children_gin"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
