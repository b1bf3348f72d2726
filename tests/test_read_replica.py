"""Reads of read-only pages from a streaming read replica (issue 24, attachment_site/replica.py).

A real primary and a real standby of it (`pg_basebackup -R`, streaming; tests/throwaway_postgres.py),
and the app in a process of its own with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the
standby (tests/site_driver.py), which lists the SQL each database alias ran for each request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings

from attachment_site.replica import COOKIE
from tests.processes import ROOT
from tests.throwaway_postgres import StreamingReplica

MAX_LAG = 2


class Site:
    """The app in its own process, driven one command at a time."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.site_driver"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, op: str, **command: Any) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"op": op, **command}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        assert "error" not in answer, answer["error"]
        return answer

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=30)


def app_reads(queries: list[str]) -> list[str]:
    """The SELECTs of the app's own rows: not the replica's lag check, nor what the middleware reads
    before the view (the session, the signed-in user) or the login lockout: always the primary."""
    return [
        sql
        for sql in queries
        if sql.lstrip().upper().startswith("SELECT")
        and "pg_is_in_recovery" not in sql
        and '"django_session"' not in sql
        and '"axes_' not in sql
        and not (sql.startswith('SELECT "staff_user"."id"') and 'WHERE "staff_user"."id" = %s LIMIT 21' in sql)
    ]


@pytest.fixture(scope="module")
def pair():
    with StreamingReplica("replica_test") as pair:
        yield pair


@pytest.fixture(scope="module")
def site(pair):
    env = {
        "DATABASE_URL": pair.primary.url,
        "DATABASE_REPLICA_URL": pair.replica_url,
        "DATABASE_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
        "DATABASE_REPLICA_CHECK_SECONDS": "0",  # check at every read-only page
        "DATABASE_REPLICA_PRIMARY_AFTER_WRITE_SECONDS": "30",
        "PDF_WORKERS": "0",
    }
    site = Site(env)
    site.ids = site("setup")  # migrations and the fixed cast, on the primary
    wait_replayed(pair)
    yield site
    site.close()


@pytest.mark.django_db
def test_without_a_replica_there_is_one_database_and_no_cookie(cast, client_for):
    """The suite runs without DATABASE_REPLICA_URL: no router, no replica alias, no cookie."""
    from tests.observation_factories import entry_data

    assert list(settings.DATABASES) == ["default"] and not settings.DATABASE_ROUTERS
    client = client_for(cast.staff_a)
    response = client.post(f"/kinderen/{cast.child_a.pk}/waarnemingen/nieuw/", entry_data(cast.child_a))
    assert response.status_code == 302 and COOKIE not in response.cookies
    assert client.get(response["Location"]).status_code == 200


def wait_replayed(pair) -> None:
    """Until the standby has replayed all the primary wrote (the cast, set up on the primary)."""
    target = pair.query(pair.primary.port, "SELECT pg_current_wal_lsn()")
    for _ in range(100):
        if pair.query(pair.port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'") == "t":
            return
        time.sleep(0.1)
    raise AssertionError("the standby does not catch up")


def test_read_only_pages_read_the_replica_and_a_write_and_the_page_after_it_the_primary(pair, site):
    ids = site.ids
    assert pair.query(pair.port, "SELECT pg_is_in_recovery()") == "t"  # a real standby, not a copy
    login = site("login", email="staff.a@example.test")
    assert login["status"] == 302

    # Right after the login (a POST), the next page reads from the primary.
    home = site("get", path="/")
    assert home["status"] == 200
    assert app_reads(home["queries"]["default"]) and not app_reads(home["queries"]["replica"])

    # Later (the browser's window has passed): the read-only pages read from the replica alone.
    site("clear_cookie", name=COOKIE)
    child, group = ids["child"], ids["group"]
    pages = [
        "/",
        f"/groepen/{group}/",
        f"/kinderen/{child}/",
        f"/groepen/{group}/overzicht/",
        f"/groepen/{group}/overzicht.csv",
        f"/kinderen/{child}/overzicht/",
        f"/kinderen/{child}/overzicht.pdf",
    ]
    for path in pages:
        page = site("get", path=path)
        assert page["status"] == 200, path
        assert app_reads(page["queries"]["replica"]), path
        assert not app_reads(page["queries"]["default"]), (path, app_reads(page["queries"]["default"]))
    site("clear_cookie", name="sessionid")
    site("login", email="manager@example.test")
    site("clear_cookie", name=COOKIE)
    location = site("get", path=f"/locaties/{ids['location']}/")
    assert location["status"] == 200
    assert app_reads(location["queries"]["replica"]) and not app_reads(location["queries"]["default"])
    site("clear_cookie", name="sessionid")
    site("login", email="staff.a@example.test")
    site("clear_cookie", name=COOKIE)
    pdf = site("get", path=f"/kinderen/{child}/overzicht.pdf")
    assert pdf["type"] == "application/pdf" and pdf["length"] > 1000

    # A write goes to the primary, and so does the page it leads to, which shows it.
    entry = site("post", path=f"/kinderen/{child}/waarnemingen/nieuw/", data="entry")
    assert entry["status"] == 302
    assert any(sql.startswith("INSERT") for sql in entry["queries"]["default"])
    assert not entry["queries"]["replica"]
    after = site("get", path=entry["location"])
    assert after["status"] == 200
    assert app_reads(after["queries"]["default"]) and not app_reads(after["queries"]["replica"])

    # A page that is not marked read-only reads from the primary, whatever the cookie.
    site("clear_cookie", name=COOKIE)
    form = site("get", path=f"/kinderen/{child}/waarnemingen/nieuw/")
    assert form["status"] == 200 and not app_reads(form["queries"]["replica"])


def test_a_lagging_replica_sends_reads_to_the_primary(pair, site):
    ids = site.ids
    site("login", email="staff.a@example.test")
    site("clear_cookie", name=COOKIE)
    path = f"/groepen/{ids['group']}/overzicht/"
    wait_replayed(pair)
    assert app_reads(site("get", path=path)["queries"]["replica"])  # in step: the replica
    pair.query(pair.port, "SELECT pg_wal_replay_pause()")
    try:
        deadline = time.monotonic() + 30
        while True:  # writes on the primary the paused standby receives but does not replay
            pair.query(pair.primary.port, "CREATE TABLE IF NOT EXISTS lag_probe (t timestamptz)")
            pair.query(pair.primary.port, "INSERT INTO lag_probe VALUES (now())")
            lag = pair.query(pair.port, "SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
            if float(lag) > MAX_LAG:
                break
            assert time.monotonic() < deadline, "the standby does not lag"
            time.sleep(0.2)
        page = site("get", path=path)
        assert page["status"] == 200
        assert app_reads(page["queries"]["default"]) and not app_reads(page["queries"]["replica"])
    finally:
        pair.query(pair.port, "SELECT pg_wal_replay_resume()")
    wait_replayed(pair)
    page = site("get", path=path)
    assert app_reads(page["queries"]["replica"]) and not app_reads(page["queries"]["default"])  # back again


def test_a_stopped_replica_sends_reads_to_the_primary_and_the_page_still_answers(pair, site):
    """Last in this file: the standby stays down."""
    site("login", email="staff.a@example.test")
    site("clear_cookie", name=COOKIE)
    path = f"/kinderen/{site.ids['child']}/overzicht/"
    wait_replayed(pair)
    # Checked once an hour: the replica answered the last check, then stops before the next one.
    site("setting", name="DATABASE_REPLICA_CHECK_SECONDS", value=3600)
    assert app_reads(site("get", path=path)["queries"]["replica"])
    pair.stop_standby()
    page = site("get", path=path)  # its query on the replica fails: the page is drawn from the primary
    assert page["status"] == 200
    assert app_reads(page["queries"]["default"])
    page = site("get", path=path)  # and no more reads from the replica until it is checked again
    assert page["status"] == 200
    assert app_reads(page["queries"]["default"]) and not page["queries"]["replica"]
    # At the next check it is still down: the primary, and the page answers.
    site("setting", name="DATABASE_REPLICA_CHECK_SECONDS", value=0)
    page = site("get", path=path)
    assert page["status"] == 200
    assert app_reads(page["queries"]["default"]) and not app_reads(page["queries"]["replica"])
    assert site("get", path=f"/kinderen/{site.ids['child']}/overzicht.pdf")["status"] == 200
