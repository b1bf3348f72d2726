"""The web process's heap, settled once it has loaded (attachment_site/wsgi.py).

A worker holds a few hundred thousand long-lived objects (Django, the apps, the URL conf, the
translations). Python's cyclic garbage collector scans all of them on every full collection, and a
page that builds many small objects (a 52-week group overview makes about 10,000) sets off several:
measured on the scale organisation, more than half of the figures' time went to collecting. Loading
what every request needs first and then freezing it (gc.freeze: out of the collector's sight, never
freed) leaves the collector the request's own objects only. The collector stays on: cycles made by
requests are still freed.
"""

import gc

from django.urls import get_resolver


def settle() -> None:
    """Load what the first request would load lazily, then freeze the heap as it is."""
    get_resolver().url_patterns  # imports every view module and what they import  # noqa: B018
    gc.collect()
    gc.freeze()
