"""Models that moved to another app (issue 18, one room for each concern) keep their tables and their
rows: the access log, the batch export, and the history of children, placements, mentorships,
memberships and users (declared on those models now, registered from privacy before). The migrations
move them in Django's state only (SeparateDatabaseAndState), and their content types (with the
permissions hanging on them) follow. Each test migrates back to the schema before the
move, writes rows through the old app's model, migrates forward and reads them through the new one."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

from access_log.models import AccessLog
from batch_export.models import BatchExport
from batch_export.services import build_batch_export, request_batch_export
from children.models import Child
from staff.models import User


def migrate(targets):
    """Migrate to `targets` (None: every app's last migration); the project state there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.fixture
def back_to_the_end():
    """Whatever a test leaves, the tests after it find the whole schema."""
    yield
    migrate(None)


@pytest.mark.django_db(transaction=True)
def test_the_access_log_keeps_its_rows_moving_from_reports_to_its_own_app(cast, back_to_the_end):
    content_type = ContentType.objects.get_for_model(AccessLog)
    permissions = set(Permission.objects.filter(content_type=content_type).values_list("pk", flat=True))
    old = migrate([("reports", "0005_merge_20261206_0744"), ("access_log", None)]).get_model("reports", "AccessLog")
    row = old.objects.create(
        organisation_id=cast.org.pk,
        user_id=cast.coach.pk,
        child_id=cast.child_a.pk,
        action="child",
        path="/kinderen/1/",
    )
    group_row = old.objects.create(organisation_id=cast.org.pk, action="group", children=[cast.child_a.pk])
    assert ContentType.objects.get(pk=content_type.pk).app_label == "reports"

    migrate(None)

    assert AccessLog._meta.db_table == "reports_accesslog"
    moved = AccessLog.objects.get(pk=row.pk)
    assert (moved.child, moved.user, moved.action, moved.path) == (cast.child_a, cast.coach, "child", "/kinderen/1/")
    about = AccessLog.objects.about_children([cast.child_a.pk]).order_by("pk")
    assert list(about.values_list("pk", flat=True)) == [row.pk, group_row.pk]
    assert ContentType.objects.get(pk=content_type.pk).app_label == "access_log"
    assert set(Permission.objects.filter(content_type=content_type).values_list("pk", flat=True)) == permissions


@pytest.mark.django_db(transaction=True)
def test_the_batch_export_keeps_its_rows_and_its_waiting_tasks_moving_to_its_own_app(cast, back_to_the_end):
    export, _ = request_batch_export(user=cast.manager, weeks=12, group=cast.group_a)  # waits in the queue
    content_type = ContentType.objects.get_for_model(BatchExport)
    old = migrate([("reports", "0005_merge_20261206_0744"), ("batch_export", None)])
    assert DBTaskResult.objects.get().task_path == "reports.batch.build_batch_export"  # as the old code queued it
    assert old.get_model("reports", "BatchExport").objects.get().pk == export.pk
    older = old.get_model("reports", "BatchExport").objects.create(
        requested_by_id=cast.coach.pk, organisation_id=cast.org.pk, location_id=cast.location1.pk, weeks=8
    )
    assert ContentType.objects.get(pk=content_type.pk).app_label == "reports"

    migrate(None)

    assert BatchExport._meta.db_table == "reports_batchexport"
    assert set(BatchExport.objects.values_list("pk", "weeks", "status")) == {
        (export.pk, 12, BatchExport.Status.QUEUED),
        (older.pk, 8, BatchExport.Status.QUEUED),
    }
    waiting = DBTaskResult.objects.get()
    assert waiting.task_path == "batch_export.services.build_batch_export"
    assert waiting.task.func is build_batch_export.func  # the worker finds the task under its new path
    assert ContentType.objects.get(pk=content_type.pk).app_label == "batch_export"


HISTORY_BEFORE = [("privacy", "0001_initial"), ("children", "0001_initial"), ("staff", "0002_password_reset_mail")]


@pytest.mark.django_db(transaction=True)
def test_the_history_of_children_and_people_keeps_its_rows_declared_on_the_models(cast, back_to_the_end):
    kept = {
        Child: set(Child.history.filter(id=cast.child_a.pk).values_list("history_id", flat=True)),
        User: set(User.history.filter(id=cast.staff_a.pk).values_list("history_id", flat=True)),
    }
    assert all(kept.values())  # made with the cast
    content_type = ContentType.objects.get_for_model(Child.history.model)
    old = migrate(HISTORY_BEFORE)
    assert ContentType.objects.get(pk=content_type.pk).app_label == "privacy"
    old_child_history = old.get_model("privacy", "HistoricalChild")
    row = old_child_history.objects.filter(id=cast.child_a.pk).order_by("history_id").last()
    row.pk, row.history_type, row.first_name = None, "~", "Semmie"  # a change recorded by the old code
    row.save()
    old_user_history = old.get_model("privacy", "HistoricalUser")
    assert set(old_user_history.objects.filter(id=cast.staff_a.pk).values_list("history_id", flat=True)) == kept[User]

    migrate(None)

    assert Child.history.model._meta.db_table == "privacy_historicalchild"
    assert set(Child.history.filter(id=cast.child_a.pk).values_list("history_id", flat=True)) == kept[Child] | {row.pk}
    assert cast.child_a.history.latest().first_name == "Semmie"
    assert set(User.history.filter(id=cast.staff_a.pk).values_list("history_id", flat=True)) == kept[User]
    assert ContentType.objects.get(pk=content_type.pk).app_label == "children"
