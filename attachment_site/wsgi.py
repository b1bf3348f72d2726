import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings")

from attachment_site.checks import require_secret_key

require_secret_key()
application = get_wsgi_application()
