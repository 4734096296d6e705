"""A small Django site running django-helpdesk, with `recovery` embedded by the `social` app.

The database is a SQLite file beside this folder (`CARE_DB`), or PostgreSQL where
`CARE_DATABASE_URL` names one (postgresql://user@host:port/name); `recovery` keeps its own
tables in the same database, beside the helpdesk's.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent.parent
SECRET_KEY = "an example, not for production"
DEBUG = True
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "care.urls"
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.sites",
    "django.contrib.humanize", "rest_framework", "helpdesk", "social",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": [
                  "django.template.context_processors.request",
                  "django.contrib.auth.context_processors.auth",
                  "django.contrib.messages.context_processors.messages"]}}]

_url = os.environ.get("CARE_DATABASE_URL")
if _url:
    _parts = urlsplit(_url)
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": _parts.path.lstrip("/"),
        "USER": _parts.username or "", "PASSWORD": _parts.password or "",
        "HOST": _parts.hostname or "", "PORT": str(_parts.port or "")}}
else:
    _file = Path(os.environ.get("CARE_DB", HERE / "care.sqlite3"))
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": str(_file),
        # the engine opens the same file: the test database is a file too
        "TEST": {"NAME": str(_file.with_name(_file.stem + "-test.sqlite3"))}}}

RECOVERY_WORKFLOWS = os.environ.get("RECOVERY_WORKFLOWS", str(HERE.parent.parent / "workflows"))
"""The brands' flows (the project's sample brands)."""
RECOVERY_BRAND = "bistro"
"""The brand whose social queue this helpdesk works."""
HELPDESK_TEAMS_MODE_ENABLED = False
"""No knowledge-base teams (they would need pinax-teams)."""
