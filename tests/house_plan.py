"""The apps of the project, bottom to top, as the layers contract in pyproject.toml lists them: the one
list the tests that walk every app read (tests/test_layers.py and the checks over every template or module)."""

import tomllib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@cache
def layers() -> tuple[str, ...]:
    """The apps bottom to top, from the layers contract in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    assert len(contracts) == 1, "expected exactly one layers contract in pyproject.toml"
    return tuple(reversed(contracts[0]["layers"]))  # the contract lists them top to bottom
