"""The corpus app on Django with django-cors-headers: `application` (WSGI) and `asgi_application`
(ASGI), configured by CORPUS_CORS and CORPUS_SAMESITE when this module is first imported."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

# setdefault, as Django's own wsgi.py does: a process that set its own settings module keeps it.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.corpus.django_settings")

application = get_wsgi_application()
asgi_application = get_asgi_application()
app = asgi_application  # for `corsproof audit tests.corpus.django_app:app`
