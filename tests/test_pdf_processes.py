"""The PDF processes die with the gunicorn worker that owns them and hold nothing of it (issue 19):
no listening socket, no signal handler of gunicorn's. Before, a forked pool process outlived a
killed worker under pid 1, shrugged off SIGTERM (gunicorn's handler, inherited through fork) and kept
the listening socket, so a restarted gunicorn failed with "Connection in use"."""

import http.client
import os
import signal
import socket
import sys
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.urls import reverse

from tests.processes import Process, environment, wait_for
from tests.throwaway_postgres import free_port

pytestmark = pytest.mark.django_db(transaction=True)  # gunicorn reads the committed cast and session


def listening_sockets(port: int) -> set[str]:
    """The inodes of the sockets listening on `port` (/proc/net/tcp, state 0A)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def sockets_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def catches(pid: int, number: int) -> bool:
    """Whether the process has a handler of its own for the signal (SigCgt in /proc/PID/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught >> (number - 1) & 1)


def gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def get_pdf(port: int, path: str, session: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pdf_processes_die_with_a_killed_gunicorn_and_hold_none_of_its_sockets(cast, client_for):
    session = client_for(cast.manager).cookies[settings.SESSION_COOKIE_NAME].value
    port = free_port()
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "attachment_site.wsgi"]
    gunicorn += ["--workers", "1", "--threads", "2", "--bind", f"127.0.0.1:{port}"]
    with Process(gunicorn, environment(PDF_WORKERS="1", DJANGO_LOG_LEVEL="WARNING")) as server:
        wait_for(lambda: listening_sockets(port) or not server.alive(), seconds=60, what="gunicorn listens")
        status, body = get_pdf(port, reverse("child_summary_pdf", args=[cast.child_a.pk]), session)
        assert status == 200 and body.startswith(b"%PDF"), server.log()

        master = psutil.Process(server.pid)
        workers = master.children()
        pdf_processes = [p for worker in workers for p in worker.children(recursive=True)]
        assert workers and pdf_processes
        listening = listening_sockets(port)
        for process in pdf_processes:
            assert not catches(process.pid, signal.SIGTERM), process.cmdline()  # SIGTERM ends it
            assert not sockets_of(process.pid) & listening, process.cmdline()

        for process in (master, *workers):
            os.kill(process.pid, signal.SIGKILL)
        wait_for(lambda: all(map(gone, pdf_processes)), seconds=10, what="the PDF processes end with gunicorn")

    with socket.socket() as again:  # a new gunicorn can listen on the port
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()
