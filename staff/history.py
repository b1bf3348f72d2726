"""Who changed a record, where there is no request: a command, a task, the demo data.

In a request, django-simple-history's HistoryRequestMiddleware names the logged-in user in every
history row it writes (settings.MIDDLEWARE). Outside one, `changes_by(user)` does the same through
the context the middleware fills, `HistoricalRecords.context.request`. No record is given its
history user by hand (tests/test_entry_history.py checks the source).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords

from staff.models import User

_MISSING = object()


@contextmanager
def changes_by(user: User) -> Iterator[None]:
    """Within the block, every history row names `user`, as a request of theirs would; the context
    before (a request's, in a view) comes back afterwards."""
    context = HistoricalRecords.context
    before = getattr(context, "request", _MISSING)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if before is _MISSING:
            del context.request
        else:
            context.request = before
