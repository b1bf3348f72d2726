"""Response headers that keep child data in the browser it was meant for (issue 9, item 5).

- Permissions-Policy on every response: the app uses no camera, microphone, location or other
  device feature, so no page (nor anything injected into one) may ask for them. Passkeys
  (publickey-credentials-get and -create) keep the browser's default: this site's own pages only.
- Cache-Control `private, no-store` on every response to a logged-in user: pages, PDFs and CSV
  files with child data are kept neither by a shared proxy nor in the browser's cache (a shared
  group tablet's back button or history must not show the last user's children).

The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY).
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control

# Features Chromium knows (document.featurePolicy.features()); an unknown name makes it log an error.
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class PrivacyHeadersMiddleware:
    """Sits after AuthenticationMiddleware (it reads request.user) and inside WhiteNoise, so static
    files keep their long cache lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        # A download that already says no-store (PDF, CSV) keeps its header: nothing stores it anyway.
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True, no_store=True)
        return response
