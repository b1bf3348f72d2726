"""/favicon.ico: browsers ask for it on every page (and for PDFs and error pages, which link no icon).
It redirects to the hashed static file, so the icon is cached like the rest of the static files."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    permanent = True
    http_method_names = ["get", "head"]

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return staticfiles_storage.url("favicon.ico")


favicon = FaviconView.as_view()
