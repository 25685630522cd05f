"""Settings for the test suite: the production module with test-only conveniences."""

from __future__ import annotations

import os

# A developer's `.env` (DEBUG on) must not change what the suite tests.
os.environ["SEMINAR_DOTENV"] = "off"
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdefghij")

from seminar.config.settings import *  # noqa: F403
from seminar.config.settings import CELERY_BROKER_URL, INSTALLED_APPS

# The benchmark's fake data and commands are tested too.
if "bench" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Most tests run tasks in-process; the worker tests start a real worker on the real broker
# (`CELERY_BROKER_URL`) and switch eager mode off themselves.
CELERY_TASK_ALWAYS_EAGER = True
SEMINAR_TEST_BROKER_URL = CELERY_BROKER_URL or "redis://127.0.0.1:6379/15"
ACCOUNT_RATE_LIMITS = False
