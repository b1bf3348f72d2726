"""A Django process of its own, driven line by line, for tests whose databases differ from the suite's
(a primary with a streaming replica, PgBouncer): `python -m tests.site_driver` with DATABASE_URL (and
DATABASE_REPLICA_URL) in its environment reads one JSON command per line on stdin and answers one JSON
line on stdout. Every answer lists the SQL each database alias ran for that command.

Commands: {"op": "setup"} migrates and builds the fixed cast (tests/conftest.py) with one observation;
{"op": "login", "email": ...} logs in through the login form; {"op": "get", "path": ...};
{"op": "post", "path": ..., "data": {...}} (data "entry" for a valid entry of child A);
{"op": "forget_replica_health"}; {"op": "clear_cookie", "name": ...};
{"op": "setting", "name": ..., "value": ...} changes a Django setting in the process;
{"op": "export", "group": pk} asks for a batch export and runs its task here, as a worker would.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any


def sign_in(client: Any, email: str, password: str) -> Any:
    """The login form, then a manager's second step passed as their app would (tests/test_second_factor.py
    tests that step itself)."""
    from django.urls import reverse

    from staff.models import User
    from staff.second_factor import SECOND_STEP_DONE

    response = client.post(reverse("login"), {"username": email, "password": password})
    if response.status_code == 302:
        session = client.session
        session[SECOND_STEP_DONE] = User.objects.get(email=email).pk
        session.save()
    return response


def main() -> None:  # noqa: C901  # one closure per command, sharing the client
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    client = Client()
    state: dict[str, Any] = {}

    @contextmanager
    def recorded() -> Iterator[dict[str, list[str]]]:
        queries: dict[str, list[str]] = {alias: [] for alias in connections}

        def recorder(alias: str) -> Callable[..., Any]:
            def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
                queries[alias].append(sql)
                return execute(sql, params, many, context)

            return record

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
            yield queries

    def setup() -> dict[str, Any]:
        call_command("migrate", verbosity=0)
        from tests.conftest import build_cast
        from tests.observation_factories import make_observation

        cast: Any = build_cast()
        make_observation(cast.child_a, cast.staff_a)
        state["cast"] = cast
        return {
            "child": cast.child_a.pk,
            "group": cast.group_a.pk,
            "location": cast.location1.pk,
        }

    def run(command: dict[str, Any]) -> dict[str, Any]:
        op = command["op"]
        if op == "setup":
            return setup()
        if op == "forget_replica_health":
            from attachment_site.replica import forget_replica_health

            forget_replica_health()
            return {}
        if op == "setting":
            from django.conf import settings

            setattr(settings, command["name"], command["value"])
            return {}
        if op == "clear_cookie":
            client.cookies.pop(command["name"], None)
            return {}
        with recorded() as queries:
            if op == "login":
                from tests.factories import PASSWORD

                response = sign_in(client, command["email"], PASSWORD)
            elif op == "get":
                response = client.get(command["path"])
            elif op == "post":
                data = command["data"]
                if data == "entry":
                    from tests.observation_factories import entry_data

                    data = entry_data(state["cast"].child_a)
                response = client.post(command["path"], data)
            elif op == "export":
                response = export(command["group"])
            else:
                raise ValueError(op)
        return {
            "status": response.status_code,
            "location": response.get("Location", ""),
            "type": response.get("Content-Type", ""),
            "length": len(b"".join(response) if response.streaming else response.content),
            "queries": queries,
        }

    def export(group: int) -> Any:

        from batch_export.models import BatchExport

        response = client.post(reverse("group_export", args=[group]), {"weken": "12"})
        assert response.status_code == 302, response.status_code
        from tests.task_worker import run_worker

        run_worker()
        export = BatchExport.objects.get()
        return client.get(reverse("export_download", args=[export.pk]))

    for line in sys.stdin:
        try:
            answer = run(json.loads(line))
        except Exception as error:  # the test shows it
            import traceback

            answer = {"error": f"{error!r}\n{traceback.format_exc()}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
