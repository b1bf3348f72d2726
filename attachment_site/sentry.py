"""Errors to Sentry when SENTRY_DSN is set (docs/operations.md), with the children's data scrubbed.

`before_send` keeps what the operator needs to find the fault: the exception's type, where it was raised
(file, function, line), the view (the event's transaction) and the request id (a tag). It drops all the
rest that could hold a child's name or a note: the request's body, cookies, query string and headers,
the local variables of every frame, the exception's message, log messages, breadcrumbs, extra data and
the user (only the id is kept)."""

from __future__ import annotations

from typing import Any

KEPT_HEADERS = {"X-Request-Id", "X-Request-ID", "User-Agent", "Content-Type"}
SCRUBBED = "[scrubbed]"


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": request.get("url"),  # a path of ids: no names are in the app's URLs
            "headers": {k: v for k, v in headers.items() if k in KEPT_HEADERS},
        }
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = SCRUBBED
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    if "logentry" in event:
        event["logentry"] = {"message": SCRUBBED}
    if "message" in event:
        event["message"] = SCRUBBED
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    user = event.get("user")
    event["user"] = {"id": user["id"]} if isinstance(user, dict) and user.get("id") else {}
    return event


def init_sentry(dsn: str, *, environment: str = "", release: str = "", transport: Any = None) -> None:
    """Start the SDK with the Django integration (its events named by the view's URL pattern)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(transaction_style="url")],  # with the default logging one: ERROR logs
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        traces_sample_rate=0.0,
        before_send=scrub_event,  # type: ignore[arg-type]  # sentry-sdk's Event is a TypedDict of the same shape
        **options,
    )
