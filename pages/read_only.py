"""`@reads_from_replica`: marks a page that only reads (overviews, summaries, PDFs, CSV), so that with a
read replica configured (DATABASE_REPLICA_URL) its queries may go there. attachment_site/replica.py
decides per request: never after this browser's own write, never when the replica lags or is down.
Writes such a page makes (the access log) always go to the primary."""

from collections.abc import Callable
from typing import Any, TypeVar

# Attribute of a view function that only reads; attachment_site.replica.ReplicaReadsMiddleware looks for it.
READS_FROM_REPLICA = "reads_from_replica"

View = TypeVar("View", bound=Callable[..., Any])


def reads_from_replica(view: View) -> View:
    setattr(view, READS_FROM_REPLICA, True)
    return view
