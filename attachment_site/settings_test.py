"""Test overrides: fast hashing, no TLS redirect, plain static storage."""

import os
import tempfile

# settings.py refuses to start without a key when DEBUG is off; tests run with DEBUG off.
os.environ.setdefault("DJANGO_SECRET_KEY", "django-insecure-tests-only-" + "t" * 40)

from attachment_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# Batch exports (zips) go to a folder of the test run, not the project's exports/; the processes a test
# starts (a task worker) inherit the environment and so share the folder.
os.environ["TEST_EXPORTS_ROOT"] = os.environ.get("TEST_EXPORTS_ROOT") or tempfile.mkdtemp(prefix="test-exports-")
EXPORTS_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": os.environ["TEST_EXPORTS_ROOT"]},
}
