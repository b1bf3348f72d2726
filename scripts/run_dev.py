"""`make run`: the development server with demo data and the task worker beside it.

    .venv/bin/python scripts/run_dev.py [--port 8000]

It compiles the Dutch catalogue, migrates, seeds the demo, then starts `manage.py task_worker` (batch
exports, reset mails) and `manage.py runserver 127.0.0.1:<port>`, each in a process group of its own.
When it is stopped (Ctrl-C in the terminal, SIGTERM from make or a process manager, the terminal
closed) or when either of the two exits, it stops both groups, the runserver's autoreloader child
included, so nothing is left behind listening on the port or taking tasks. When it had to start the
embedded PostgreSQL (DATABASE_URL unset and .pgdata/ not running), it stops that again too.
`make smoke` (scripts/production_smoke.py) shows that nothing is left behind.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10


class Stop(Exception):
    """A stop signal arrived."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def start(*args: str) -> subprocess.Popen[bytes]:
    """manage.py <args> in a session (and so a process group) of its own: a Ctrl-C in the terminal
    reaches only this launcher, which then stops each group as a whole."""
    return subprocess.Popen([PYTHON, "manage.py", *args], cwd=ROOT, start_new_session=True)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        process.poll()
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def embedded_database_running() -> bool:
    sys.path.insert(0, str(ROOT))
    from attachment_site.embedded_db import embedded_database_running as running

    return running()


def stop_embedded_database() -> None:
    sys.path.insert(0, str(ROOT))
    from attachment_site.embedded_db import stop_embedded_database as stop_database

    stop_database()
    print("run: stopped the embedded PostgreSQL it had started", flush=True)


def serve(port: int) -> int:
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(start("task_worker", "--interval", "1"))
        processes.append(start("runserver", f"127.0.0.1:{port}"))
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        return next(process.returncode for process in processes if process.returncode is not None) or 1
    except Stop:
        return 0
    finally:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
        for process in reversed(processes):
            stop_group(process)
        print("run: stopped the web server and the task worker", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    port = parser.parse_args().port
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stop)
    embedded = not os.environ.get("DATABASE_URL")
    started_database = embedded and not embedded_database_running()
    try:
        manage("compilemessages", "--ignore=.venv", "--verbosity", "0")
        manage("migrate", "--noinput")
        manage("seed_demo")
        return serve(port)
    except Stop:
        return 0
    except subprocess.CalledProcessError as error:
        return error.returncode
    finally:
        if started_database:
            stop_embedded_database()


if __name__ == "__main__":
    sys.exit(main())
