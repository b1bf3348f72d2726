"""Production settings pass Django's deployment checks; migrations are complete."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, **env):
    # Production-like environment: nothing the test harness set (e.g. the browser tests' async flag).
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_SETTINGS_MODULE": "attachment_site.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3y-" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
        DJANGO_ALLOWED_HOSTS="observaties.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    # Replaces the former check that `check --deploy` warns (security.W009) about the insecure
    # fallback key: with DEBUG off there is no fallback any more, settings.py refuses outright.
    result = manage("check", "--deploy", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is not set." in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr
    assert "security.W009" not in result.stdout + result.stderr


def test_the_wsgi_app_refuses_to_load_without_a_secret_key():
    # What gunicorn imports: the worker cannot boot, the operator reads why.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment["DJANGO_DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "-c", "import attachment_site.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set." in result.stderr


def test_development_runs_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_collectstatic_with_the_production_storage_writes_a_manifest(tmp_path):
    static_root = tmp_path / "staticfiles"
    result = manage(
        "collectstatic",
        "--noinput",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3y-" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
        DJANGO_STATIC_ROOT=str(static_root),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap/bootstrap.min.css", "css/app.css"):
        hashed = manifest[name]
        assert hashed != name
        assert (static_root / hashed).is_file()
        assert (static_root / f"{hashed}.gz").is_file()  # WhiteNoise's compressed copy


def test_no_missing_migrations():
    result = manage("makemigrations", "--check", "--dry-run", DJANGO_DEBUG="1")  # a development command
    assert result.returncode == 0, result.stdout + result.stderr
