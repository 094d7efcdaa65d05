"""WSGI entry point: `gunicorn clinic.wsgi`.

Stored pages for anonymous readers are answered in front of Django (`clinic.page_cache`).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

application = get_wsgi_application()

from clinic.page_cache import PageCacheApp  # noqa: E402 - needs the settings configured above

application = PageCacheApp(application)
