"""The app's release: a string that changes whenever what the app draws can change (settings.APP_RELEASE).

Set APP_RELEASE in the environment (a deploy's tag or commit); without it, the package version from
pyproject.toml and a short hash of the code, templates, styles and catalogues read once at start: the
same checkout gives the same release on every worker and machine, any change of them another. A PDF
drawn by one release is never served by the next (reports/pdf_cache.py).
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

# What a PDF is drawn from: code, templates, styles, fonts and pictures, the Dutch catalogues.
DRAWN_FROM = (".py", ".html", ".css", ".js", ".svg", ".ttf", ".woff", ".woff2", ".po")
# Folders that draw nothing: tools, data, tests, the collected static files, the exports.
NOT_DRAWN_FROM = {
    "__pycache__",
    "bench",
    "docs",
    "exports",
    "node_modules",
    "out",
    "scripts",
    "staticfiles",
    "test-output",
    "tests",
}


def package_version(base_dir: Path) -> str:
    try:
        with (base_dir / "pyproject.toml").open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0"


def code_hash(base_dir: Path) -> str:
    """A short hash of the names and contents of the files the app draws from, in a fixed order."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(base_dir):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name not in NOT_DRAWN_FROM)
        for name in sorted(files):
            if name.endswith(DRAWN_FROM):
                path = Path(folder, name)
                digest.update(str(path.relative_to(base_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def app_release(base_dir: Path, configured: str = "") -> str:
    """`configured` (APP_RELEASE) when set, else "<package version>+<code hash>"."""
    return configured or f"{package_version(base_dir)}+{code_hash(base_dir)}"
