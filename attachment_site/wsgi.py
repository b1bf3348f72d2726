import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings")

from attachment_site.checks import require_secret_key
from attachment_site.heap import settle

require_secret_key()
application = get_wsgi_application()
settle()  # load the views, then keep the collector off the long-lived heap
