"""A linked group tablet without a connection: the service worker and the pages it may keep.

The worker (`/sw.js`, rendered from pages/templates/pages/sw.js) is served by Django at the site's
root, so its scope is the whole site; WhiteNoise serves only /static/ and cannot add the
Service-Worker-Allowed header a worker under /static/ would need. It keeps, per tablet session, only
what `tablet_offline_pages` lists: the group's day view and the entry forms of the children placed in
the group today, and the static files those pages use. Everything else goes to the network, with
a page of our own ("no connection") when there is none. The registration and the clearing of the
cache (on lock, unlink, idle, another person) are pages/static/pages/offline-cache.js.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from children.models import Child
from organisations.calendar import today

# The static files of the day view and the entry form: fetched when the cache is filled. The worker
# also keeps any other /static/ file the kept pages name.
OFFLINE_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "css/strips.css",
    "favicon.svg",
    "pages/entry.css",
    "pages/entry.js",
    "pages/offline.css",
    "pages/offline.js",
    "pages/offline-cache.js",
    "pages/tablet.css",
    "pages/tablet.js",
)


OFFLINE_NONCE = "offline-page-nonce"


@require_safe
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker script, at the root so that its scope is the whole site. Its own page ("no
    connection") speaks the language of the page that registered it (`?taal=`): the browser asks for
    a worker script without the page's language."""
    language = request.GET.get("taal", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        # The worker fills in a fresh nonce for each answer, and the policy that names it.
        offline_page = render_to_string("pages/offline_page.html", {"request": {"csp_nonce": OFFLINE_NONCE}})
    config = {
        "cache": "tablet-v1",
        "staticPrefix": settings.STATIC_URL,
        "static": [static(name) for name in OFFLINE_STATIC],
        "lockUrl": reverse("tablet_lock"),
        "offlinePage": offline_page,
        "offlineNonce": OFFLINE_NONCE,
    }
    body = render_to_string("pages/sw.js", {"config": json.dumps(config, ensure_ascii=False)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
@never_cache
def tablet_offline_pages(request: HttpRequest) -> JsonResponse:
    """What the worker keeps for this tablet session: the group's day view first, then the entry
    forms of the children placed in the group today that this person logs. Only a tablet session
    gets a list; a personal session (even on a linked tablet) gets 404 and keeps nothing."""
    tablet = getattr(request, "tablet", None)
    if tablet is None or not getattr(request, "tablet_session", False) or not request.user.is_authenticated:
        raise Http404
    children = (
        Child.objects.placed_on(today(), groups=[tablet.group])
        .filter(pk__in=Child.objects.loggable_by(request.user).values("pk"))
        .order_by("first_name", "last_name", "pk")
    )
    pages = [reverse("group_detail", args=[tablet.group_id])]
    pages += [reverse("observation_new", args=[pk]) for pk in children.values_list("pk", flat=True)]
    return JsonResponse({"user": request.user.pk, "pages": pages})
