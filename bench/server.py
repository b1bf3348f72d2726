"""What bench/run and bench/load.py share: the scale database, a production-like server, an HTTP client.

- `ensure_scale_database()`: the database `bench_scale` (on $BENCH_DATABASE_SERVER, default
  postgresql://postgres@127.0.0.1:5432), migrated and filled once with `seed_scale` (10,000
  children, 104 weeks; $BENCH_CHILDREN and $BENCH_WEEKS change that for a quicker try).
- `ProductionServer`: gunicorn on 127.0.0.1 with DEBUG off, a freshly generated DJANGO_SECRET_KEY,
  static files collected into a temporary folder and served by WhiteNoise, no TLS (loopback only),
  and the PDF worker pool beside it (reports.pdf_pool: PDFs render there, not in the web workers).
- `Browser`: a keep-alive HTTP client with cookies, logging in through the real login form.
- `required()`: a row the seeded database must hold, or a clear error when it does not.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_DATABASE", "bench_scale")
DATABASE_URL = f"{SERVER}/{DATABASE}"
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "10000"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "104"))
PASSWORD = "demo"

T = TypeVar("T")


def required(value: T | None, what: str) -> T:
    """`value`, which the seeded database must hold (a `.first()` or a nullable field)."""
    if value is None:
        raise RuntimeError(f"{what}: not in the database (is it seeded?)")
    return value


def env(**extra: str) -> dict[str, str]:
    """The environment of every command run against the scale database (development settings: DEBUG on
    only for the management commands, never for the server)."""
    values = dict(os.environ)
    values.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "DJANGO_DEBUG": "1",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "attachment_site.settings",  # never the test settings of the bench process
        }
    )
    values.update(extra)
    return values


def manage(*args: str, quiet: bool = True) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True, text=True)
    if not quiet:
        print(done.stdout.strip())
    return done.stdout


def ensure_scale_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    manage("migrate", "--noinput")
    print(f"database {DATABASE}: ", end="", flush=True)
    manage("seed_scale", "--children", str(CHILDREN), "--weeks", str(WEEKS), quiet=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProductionServer:
    """gunicorn as the README runs it in production, on a loopback port, until `stop()`."""

    def __init__(self, workers: int = 3, pdf_workers: int = 1, threads: int = 4) -> None:
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.pdf_workers = pdf_workers
        self.static = Path(tempfile.mkdtemp(prefix="bench-static-"))
        self.media = Path(tempfile.mkdtemp(prefix="bench-media-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])

    def environment(self) -> dict[str, str]:
        return env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_HSTS_SECONDS="0",
            DJANGO_STATIC_ROOT=str(self.static),
            DJANGO_MEDIA_ROOT=str(self.media),
            PDF_WORKERS=str(self.pdf_workers),
            DJANGO_LOG_LEVEL="WARNING",
            # The load script's many logins come from one address: lift the lockout's per-address limit.
            AXES_ADDRESS_FAILURE_LIMIT="100000",
        )

    def start(self) -> ProductionServer:
        environment = self.environment()
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput"],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [PYTHON, "manage.py", "compilemessages", "--ignore=.venv"], cwd=ROOT, env=environment, capture_output=True
        )
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    gunicorn,
                    "attachment_site.wsgi",
                    "--workers",
                    str(self.workers),
                    # threads: a request waiting for its PDF (drawn in the niced PDF pool) holds a thread,
                    # not the whole worker (docs/operations.md)
                    "--threads",
                    str(self.threads),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--access-logfile",
                    "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                Browser(self.port).get("/inloggen/")
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer; see {self.log}")

    def pids(self) -> list[int]:
        """The gunicorn master and its workers (for memory readings)."""
        if self.process is None:
            return []
        out = subprocess.run(["pgrep", "-g", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.static, ignore_errors=True)
        shutil.rmtree(self.media, ignore_errors=True)

    def __enter__(self) -> ProductionServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Closed:
    """A request whose connection the server closed or reset instead of answering it."""

    method: str
    path: str
    error: str
    reused: bool  # the connection had answered before (kept alive), or was new
    idle: float  # seconds since this browser's last answer
    attempt: int  # 1: sent again on a new connection; 2: the request failed


# How long a browser keeps an idle connection for its next request: nginx's upstream keepalive_timeout
# (60 s), below gunicorn's keepalive (75 s, gunicorn.conf.py), so the server never closes one first.
KEEPALIVE_SECONDS = 60.0

CLOSED: list[Closed] = []  # every such request of this process (list.append is atomic)


class Browser:
    """One person's browser: cookies and a keep-alive connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.answered = 0  # requests answered on the open connection
        self.last_answer = time.monotonic()

    def request(self, method: str, path: str, data: Mapping[str, str | list[str]] | None = None) -> Response:
        headers = {"Host": "127.0.0.1", "Accept-Language": "nl"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        raw, payload = self.exchange(method, path, body, headers)
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, payload)

    def exchange(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """The request sent on the kept-alive connection, or on a new one; sent once more on a new one
        when the server closed or reset the connection instead of answering (as browsers do)."""
        if self.conn is not None and time.monotonic() - self.last_answer > KEEPALIVE_SECONDS:
            self.conn.close()  # idle too long: closed by this side, as a proxy does, before the server does
            self.conn = None
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                self.answered = 0
            idle = time.monotonic() - self.last_answer
            try:
                self.conn.request(method, path, body=body, headers=headers)
                raw = self.conn.getresponse()
                payload = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                CLOSED.append(Closed(method, path, type(error).__name__, self.answered > 0, idle, attempt))
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        self.answered += 1
        self.last_answer = time.monotonic()
        if raw.will_close and self.conn is not None:  # "Connection: close": the next request opens a new one
            self.conn.close()
            self.conn = None
        return raw, payload

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: Mapping[str, str | list[str]]) -> Response:
        return self.request("POST", path, data)

    def login(self, email: str, password: str = PASSWORD) -> None:
        page = self.get("/inloggen/")
        token = csrf_token(page.text)
        done = self.post("/inloggen/", {"username": email, "password": password, "csrfmiddlewaretoken": token})
        if done.status != 302:
            raise RuntimeError(f"login of {email} failed: {done.status}")
        # The login goes to the home page, which sends a manager or coach on to the second step (and
        # one without an app on to setting it up): follow it there.
        location = done.headers.get("location", "")
        for _ in range(3):
            page = self.get(location)
            if page.status != 302:
                break
            location = page.headers.get("location", "")
        path = urllib.parse.urlsplit(location).path
        if path.startswith("/tweede-stap/"):
            self.second_step(email, path)

    def second_step(self, email: str, path: str) -> None:
        """A manager's or coach's second step, as their app answers it: one without an app sets one up
        from the key on the page (kept for this process's next sign-ins of that person). A code is good
        once: a second sign-in within the same 30 seconds waits for the next one."""
        from django_otp.oath import totp  # pure: no Django settings needed

        page = self.get(path)
        if path.startswith("/tweede-stap/instellen/"):
            found = re.search(r'id="second-step-secret">([^<]+)<', page.text)
            if not found:
                raise RuntimeError(f"no key on the second-step page of {email}")
            APP_KEYS[email] = base64.b32decode(found.group(1).replace(" ", ""))
        elif email not in APP_KEYS:
            raise RuntimeError(f"{email} has an app from before this run: give them a fresh database")
        else:
            time.sleep(30 - time.time() % 30 + 0.5)
        code = str(totp(APP_KEYS[email])).zfill(6)
        done = self.post(path, {"code": code, "next": "/", "csrfmiddlewaretoken": csrf_token(page.text)})
        # Setting up answers with the recovery codes (200) instead of the form again; the step answers 302.
        set_up = path.startswith("/tweede-stap/instellen/") and done.status == 200
        if not (done.status == 302 or (set_up and 'id="second-step-secret"' not in done.text)):
            raise RuntimeError(f"the second step of {email} failed: {done.status}")


APP_KEYS: dict[str, bytes] = {}  # the authenticator app of each person set up in this process


def forget_apps(emails: list[str]) -> None:
    """The authenticator apps and recovery codes an earlier run set up for these people removed: each
    sign-in of this run sets one up from the page's key (`Browser.second_step`). Needs Django set up."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__email__in=emails).delete()
    StaticDevice.objects.filter(user__email__in=emails).delete()


def signed_in(client: Any, user: Any) -> None:
    """An in-process test client signed in as `user`, past the second step (staff/second_factor.py)."""
    from staff.second_factor import SECOND_STEP_DONE

    client.force_login(user)
    session = client.session
    session[SECOND_STEP_DONE] = user.pk
    session.save()


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(rf'value="([^"]*)" name="{name}"', html)
    if not found:
        raise RuntimeError(f"no field {name} in the page")
    return found.group(1)
