"""The restore drill: a backup is only a backup once it has been restored and the app works from it.

    .venv/bin/python scripts/restore_drill.py        (or `make restore-drill`)

On the server of DATABASE_URL (the embedded PostgreSQL when it is unset) it

1. creates `<db>_drill_src`, migrates it, fills it with the demo (`seed_demo --force`) and has the
   coach read the pages below once (so the access log has rows);
2. dumps it with pg_dump in custom format (-Fc), the format a nightly logical backup would have;
3. creates `<db>_drill_dst` and restores the dump into it with pg_restore;
4. takes a fingerprint of each database, each in its own process pointed at that database
   (`python -m attachment_site.restore_drill fingerprint`), and compares them:
   - every table: row count and a checksum of its rows (the access log and the histories among them);
   - the weekly rollup equals a rebuild from the raw observations (on each database, rebuilt inside a
     transaction that is rolled back);
   - the pages as the coach sees them (home, a group overview, a group page, and per child the child's
     page and summary), HTML normalised (CSRF tokens and nonces differ per request);
   - the text of the summary PDF of those children (pypdf);
5. prints a summary in Dutch and English, drops both databases, exits 1 on any difference.

The fingerprint reads pages through Django's test client inside a transaction that is rolled back:
taking it leaves the database as it was (no sessions, no access-log rows).
"""

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from attachment_site.pg_tools import (
    ClientError,
    client_binary,
    database_name,
    run_client,
    url_conninfo,
    with_database,
)

ROOT = Path(__file__).resolve().parents[1]
COACH = "coach@example.org"
CHILDREN = 3
PDF_WEEKS = 12

Fingerprint = dict[str, Any]


# --- the databases ------------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from attachment_site.embedded_db import embedded_database_url

    return embedded_database_url()


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def server_major(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.info.server_version // 10000


def create_database(url: str, name: str) -> str:
    admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(url, f'CREATE DATABASE "{name}"')
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise ClientError(f"manage.py {' '.join(args)} failed: {result.stderr.strip()[-2000:]}")


def dump(url: str, path: Path) -> None:
    """pg_dump in custom format (-Fc): what a nightly logical backup keeps."""
    conninfo, env = url_conninfo(url)
    binary = client_binary("pg_dump", server_major(url))
    run_client([binary, "-Fc", "--no-owner", "--no-privileges", "--file", str(path), "--dbname", conninfo], env)


def restore(path: Path, url: str) -> None:
    """pg_restore into an empty database; any error stops it (--exit-on-error)."""
    conninfo, env = url_conninfo(url)
    binary = client_binary("pg_restore", server_major(url))
    run_client([binary, "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", conninfo, str(path)], env)


# --- the fingerprint of one database (runs in a process pointed at it) -------------------------


def normalise_html(html: str) -> str:
    html = re.sub(r'(name="csrfmiddlewaretoken" value=|data-csrf=)"[^"]*"', r'\1"-"', html)
    return re.sub(r'nonce="[^"]*"', 'nonce="-"', html)


def table_fingerprints() -> dict[str, list[Any]]:
    """Per table of the public schema: its row count and an md5 of its rows in a stable order."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [name for (name,) in cursor.fetchall()]
        result: dict[str, list[Any]] = {}
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {quoted} t"
            )
            count, checksum = cursor.fetchone()
            result[table] = [count, checksum]
    return result


def rollup_equals_rebuild() -> bool:
    """The stored weekly rollup against a rebuild from the raw rows (the caller rolls the rebuild back)."""
    from django.db import connection

    query = (
        "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.child_id, t.week, t.pillar), ''))"
        " FROM observations_pillarweek t"
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT observations_pillar_weeks_rebuild()")
        cursor.execute(query)
        (rebuilt,) = cursor.fetchone()
    return bool(stored == rebuilt)


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def pages_and_pdfs() -> tuple[dict[str, str], dict[str, str]]:
    """The coach's pages and the summary PDFs of a few children, chosen by following the coach's links."""
    from django.test import Client

    from staff.models import User
    from staff.second_factor import SECOND_STEP_DONE

    client = Client()
    coach = User.objects.get(email=COACH)
    client.force_login(coach)
    session = client.session
    session[SECOND_STEP_DONE] = coach.pk  # the coach's second step, as their app would pass it
    session.save()
    pages: dict[str, str] = {}

    def get(path: str) -> str:
        response = client.get(path)
        html = f"{response.status_code}\n" + normalise_html(response.content.decode())
        pages[path] = html
        return html

    home = get("/")
    overviews = sorted(set(re.findall(r'href="(/groepen/\d+/overzicht/)"', home)))
    children: list[str] = []
    if overviews:
        overview = get(overviews[0])
        get(overviews[0].removesuffix("overzicht/"))
        children = list(dict.fromkeys(re.findall(r'href="/kinderen/(\d+)/', overview)))[:CHILDREN]
    pdfs: dict[str, str] = {}
    for child in children:
        get(f"/kinderen/{child}/")
        get(f"/kinderen/{child}/overzicht/")
        path = f"/kinderen/{child}/overzicht.pdf?weken={PDF_WEEKS}"
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]  # streaming responses only
        pdfs[path] = f"{response.status_code}\n" + (pdf_text(body) if body.startswith(b"%PDF-") else "")
    return pages, pdfs


def fingerprint_here() -> Fingerprint:
    """The fingerprint of the database Django is configured for; changes nothing (all rolled back)."""
    from django.db import transaction

    with transaction.atomic():
        tables = table_fingerprints()
        pages, pdfs = pages_and_pdfs()
        rollup = rollup_equals_rebuild()
        transaction.set_rollback(True)
    return {"tables": tables, "rollup_equals_rebuild": rollup, "pages": pages, "pdfs": pdfs}


def fingerprint(url: str) -> Fingerprint:
    """The fingerprint of the database at `url`, taken by a process of its own pointed at it."""
    return json.loads(in_process_for(url, "fingerprint").strip().splitlines()[-1])  # type: ignore[no-any-return]  # JSON


def visit(url: str) -> None:
    """The coach reads the pages and PDFs once, for real (committed): the access log gets its rows."""
    in_process_for(url, "visit")


def in_process_for(url: str, command: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
    result = subprocess.run(
        [sys.executable, "-m", "attachment_site.restore_drill", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ClientError(f"{command} on {database_name(url)} failed: {result.stderr.strip()[-3000:]}")
    return result.stdout


# --- comparing ----------------------------------------------------------------------------------


def first_difference(a: str, b: str) -> str:
    for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0):
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++")):
            return line[:200]
    return ""


def table_differences(source: Fingerprint, restored: Fingerprint) -> list[str]:
    found: list[str] = []
    for table in sorted(source["tables"].keys() | restored["tables"].keys()):
        a, b = source["tables"].get(table), restored["tables"].get(table)
        if a is None or b is None:
            found.append(f"table {table}: only in the {'restored' if a is None else 'source'} database")
        elif a[0] != b[0]:
            found.append(f"table {table}: {a[0]} rows in the source, {b[0]} restored")
        elif a[1] != b[1]:
            found.append(f"table {table}: same {a[0]} rows, different contents")
    return found


def read_differences(source: Fingerprint, restored: Fingerprint, kind: str) -> list[str]:
    found: list[str] = []
    for path in sorted(source[kind].keys() | restored[kind].keys()):
        a, b = source[kind].get(path), restored[kind].get(path)
        if a is None or b is None:
            found.append(f"{kind[:-1]} {path}: only read on the {'restored' if a is None else 'source'} database")
        elif a != b:
            found.append(f"{kind[:-1]} {path}: differs ({first_difference(a, b)})")
    return found


def differences(source: Fingerprint, restored: Fingerprint) -> list[str]:
    """What differs between the source and the restored database; empty when the restore is faithful."""
    found = [
        f"rollup: on the {name} database it differs from a rebuild"
        for name, taken in (("source", source), ("restored", restored))
        if not taken["rollup_equals_rebuild"]
    ]
    found += table_differences(source, restored)
    found += read_differences(source, restored, "pages") + read_differences(source, restored, "pdfs")
    if not source["pdfs"]:
        found.append("no child's PDF was read: the drill checked too little")
    for kind, rows in (("access log", access_log_rows(source)), ("history", history_rows(source))):
        if not rows:
            found.append(f"the source database has no {kind} rows: the drill checked too little")
    return found


ACCESS_LOG_TABLE = "reports_accesslog"  # access_log.AccessLog keeps the table of its first home


def access_log_rows(fingerprint: Fingerprint) -> int:
    rows: int = fingerprint["tables"].get(ACCESS_LOG_TABLE, [0])[0]
    return rows


def history_rows(fingerprint: Fingerprint) -> int:
    return sum(rows for table, (rows, _) in fingerprint["tables"].items() if "_historical" in table)


def summary(source: Fingerprint, problems: list[str]) -> str:
    tables = source["tables"]
    histories = [t for t in tables if "_historical" in t]
    lines = [
        f"  tabellen / tables: {len(tables)} (rijen / rows {sum(r for r, _ in tables.values())})",
        f"  toegangslog / access log: {access_log_rows(source)} rijen / rows",
        f"  historie / histories: {len(histories)} tabellen / tables, {history_rows(source)} rijen / rows",
        f"  pagina's / pages: {len(source['pages'])}; pdf's: {len(source['pdfs'])}",
        f"  weekoverzicht = herberekening / rollup = rebuild: {source['rollup_equals_rebuild']}",
    ]
    if problems:
        lines.append(f"VERSCHILLEN / DIFFERENCES ({len(problems)}):")
        lines += [f"  - {p}" for p in problems]
        lines.append("Hersteloefening MISLUKT / Restore drill FAILED")
    else:
        lines.append("Hersteloefening geslaagd: de herstelde database is gelijk / Restore drill passed")
    return "\n".join(lines)


def drill(source_url: str, restored_url: str, workdir: Path) -> tuple[Fingerprint, list[str]]:
    """Dump the source, restore into the (empty) restored database, compare the two.
    The core of the drill, also run by tests/test_restore_drill.py on the test database."""
    path = workdir / f"{database_name(source_url)}.dump"
    dump(source_url, path)
    restore(path, restored_url)
    for _attempt in range(2):
        # The pages show dates: both fingerprints must fall on one day. Across a clock hour (midnight of
        # any whole-hour time zone among them), take them again.
        hour = time.time() // 3600
        source, restored = fingerprint(source_url), fingerprint(restored_url)
        if time.time() // 3600 == hour:
            break
    return source, differences(source, restored)


@contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    print(f"drill: {label} ({time.monotonic() - started:.1f} s)", flush=True)


def main() -> int:
    started = time.monotonic()
    server = server_url()
    base = database_name(server)
    source_name, restored_name = f"{base}_drill_src", f"{base}_drill_dst"
    try:
        with timed(f"{source_name}: created, migrated, demo seeded"):
            source_url = create_database(server, source_name)
            manage(source_url, "migrate", "--verbosity", "0")
            manage(source_url, "seed_demo", "--force")
            visit(source_url)
        restored_url = create_database(server, restored_name)
        with tempfile.TemporaryDirectory(prefix="restore-drill-") as workdir, timed("dumped (-Fc), restored, compared"):
            source, problems = drill(source_url, restored_url, Path(workdir))
    except ClientError as error:
        print(f"Hersteloefening MISLUKT / Restore drill FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        drop_database(server, source_name)
        drop_database(server, restored_name)
    print(f"Hersteloefening / restore drill: {source_name} -> pg_dump -Fc -> pg_restore -> {restored_name}")
    print(summary(source, problems))
    print(f"drill: {time.monotonic() - started:.1f} s in all; databases dropped")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:] in (["fingerprint"], ["visit"]):
        import django

        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
        django.setup()
        if sys.argv[1] == "visit":
            pages_and_pdfs()
        else:
            print(json.dumps(fingerprint_here()))
    else:
        sys.exit(main())
