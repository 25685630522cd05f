"""Settings for Seminar, read from the environment.

One module for every deployment: the defaults give the embedded setup (SQLite, tasks run
in-process, mail on the console) and production sets `DATABASE_URL`, `CELERY_BROKER_URL`,
`EMAIL_URL`, `SECRET_KEY` and `ALLOWED_HOSTS`. `seminar.config.test_settings` adjusts a few
values for the test suite only.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
# A developer's checkout: `make run` writes a git-ignored `.env` (DEBUG on, a random key) so
# `manage.py` works in any terminal. Production sets its variables in the environment and has
# no such file; values already in the environment always win over the file. The test settings
# turn the file off (`SEMINAR_DOTENV=off`), for the suite and the processes it starts.
if env.str("SEMINAR_DOTENV", default="on") != "off" and (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A fixed key is fine for the embedded demo: nothing it signs outlives the laptop.
    SECRET_KEY = "django-insecure-seminar-local-development-only-key-0123456789"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "markdownx",
    "csp",
    "django_celery_beat",
    "seminar",
    "papers",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "seminar.lib.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
]
# The benchmark (bench/): a development-only app with the fake-data and benchmark commands,
# on with DEBUG or BENCH. Its per-request SQL query count (`X-DB-Queries`) is never on in
# production.
if env.bool("BENCH", default=DEBUG):
    INSTALLED_APPS.append("bench")
    if env.bool("BENCH_COUNT_QUERIES", default=False):
        MIDDLEWARE.insert(0, "bench.middleware.QueryCountMiddleware")

ROOT_URLCONF = "seminar.config.urls"
WSGI_APPLICATION = "seminar.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "seminar.context_processors.roles",
            ],
            # Materials (#13): the filters the week page uses to offer its forms.
            "libraries": {
                "materials": "seminar.materials.templatetags",
                # Integrations (#16): the week's brief for the "copy for KakaoTalk" box.
                "integrations": "seminar.integrations.templatetags",
                # Discussion (#15): threads, reactions, questions and the bell.
                "discussion": "seminar.discussion.templatetags",
            },
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves several threads at once. SQLite's default (deferred)
    # transactions begin as readers and deadlock when two of them upgrade to writers: one is
    # answered at once with "database is locked", whatever the timeout. BEGIN IMMEDIATE takes
    # the write lock up front, so concurrent writers queue for up to `timeout` seconds instead;
    # WAL lets readers go on while one writes, and synchronous=NORMAL is safe under WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "seminar.User"
AUTHENTICATION_BACKENDS = [
    # Django's model backend that also reads whether the member organizes (one query a page).
    "seminar.permissions.MemberBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Sessions signed in before MemberBackend name this one; it keeps them signed in.
    "django.contrib.auth.backends.ModelBackend",
]
# Sessions are read from the cache (no query per page) and written through to the database,
# which answers when the cache misses or is down (see SESSION_CACHE_ALIAS below).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email and password only; sign-up by invitation or from allowed domains.
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "seminar.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "seminar.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Seminar] "
# Failed sign-ins: ten a minute per address, and five in five minutes per (address, account):
# `seminar.adapters.AccountAdapter` puts the address into allauth's per-account key, so
# failures from elsewhere never lock a member (the organizer) out of their own account. There
# is deliberately no limit per account alone: anyone could trip it for a chosen account, and
# passwords are checked against the common-password list, so guessing from many addresses at
# five tries per five minutes each gains little.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Behind a TLS proxy every request comes from the proxy's address, and the limits above would
# then count everyone together. Set TRUSTED_PROXY_COUNT to the number of proxies you run (each
# appends to X-Forwarded-For; only that many entries from the right are believed), or
# TRUSTED_CLIENT_IP_HEADER to a header your proxy sets and clients cannot (e.g. X-Real-IP).
# With neither, X-Forwarded-For is ignored, as it can be forged.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
# Comma-separated email domains whose owners may sign up without an invitation.
SEMINAR_SIGNUP_DOMAINS = [d.lower() for d in env.list("SIGNUP_DOMAINS", default=[])]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploaded digests are a few hundred kB; anything far larger is a mistake or an attack.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DIGEST_MAX_BYTES = env.int("DIGEST_MAX_BYTES", default=5 * 1024 * 1024)
DIGEST_HTTP_TIMEOUT = env.float("DIGEST_HTTP_TIMEOUT", default=20.0)
# Outbound fetches of organizer-typed URLs (digest sources) refuse loopback, link-local,
# private and reserved addresses. List networks here (CIDR, comma-separated) only to allow an
# internal digest server on purpose.
OUTBOUND_ALLOWED_NETWORKS = env.list("OUTBOUND_ALLOWED_NETWORKS", default=[])
# Folder digest sources may only read under these absolute directories (none by default, so
# folder sources are off until the operator names where digests live).
DIGEST_FOLDER_ROOTS = env.list("DIGEST_FOLDER_ROOTS", default=[])

# Integrations (#16): the group's git repository and chat webhooks (docs/INTEGRATIONS.md).
# Local paths and file:// as repository URLs: tests and single-machine setups only.
INTEGRATIONS_ALLOW_LOCAL_REPOSITORIES = env.bool("INTEGRATIONS_ALLOW_LOCAL_REPOSITORIES", False)
# A repository's token or key may come from an environment variable named with this prefix
# (never any other variable: SECRET_KEY must not be sendable as a "token").
INTEGRATIONS_SECRET_ENV_PREFIX = "SEMINAR_SECRET_"
INTEGRATIONS_GIT_TIMEOUT = env.float("INTEGRATIONS_GIT_TIMEOUT", default=60.0)
INTEGRATIONS_GIT_AUTHOR_NAME = env.str("INTEGRATIONS_GIT_AUTHOR_NAME", default="Seminar")
INTEGRATIONS_GIT_AUTHOR_EMAIL = env.str(
    "INTEGRATIONS_GIT_AUTHOR_EMAIL", default="seminar@users.noreply.seminar.invalid"
)
INTEGRATIONS_NOREPLY_DOMAIN = env.str(
    "INTEGRATIONS_NOREPLY_DOMAIN", default="users.noreply.seminar.invalid"
)
INTEGRATIONS_CHAT_MAX_ATTEMPTS = env.int("INTEGRATIONS_CHAT_MAX_ATTEMPTS", default=5)
INTEGRATIONS_CHAT_TIMEOUT = env.float("INTEGRATIONS_CHAT_TIMEOUT", default=10.0)

# Email: the console by default, `smtp+tls://user:pass@host:587` in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds an SMTP conversation may take. Also what keeps a reminder's "sending" claim shorter
# than the limit after which it is sent again (see seminar/reminders.py).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Seminar <seminar@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A late-acked task that outlives the visibility timeout is redelivered; keep it above the
# hard time limit so a slow import is never run twice while still running. The socket
# timeouts make a send to an unreachable or hung broker fail within seconds (without them a
# silent broker blocks the request forever); `seminar.lib.queue.enqueue` then logs it and a
# sweeper on beat sends the work later.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Markdown: one render-then-sanitize function for pages and the editor preview.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "seminar.lib.markdown.render_markdown"
# Longest text rendered as markdown at once (longer text is shown cut, with a note): the cap,
# with the linear renderer (seminar/lib/markdown), bounds what one request can cost.
MARKDOWN_MAX_CHARS = env.int("MARKDOWN_MAX_CHARS", default=100_000)
# Seconds one render may take before the text is shown plain (0: no limit). Real text renders
# in milliseconds; this only stops text that is slow in a way not yet found.
MARKDOWN_RENDER_SECONDS = env.float("MARKDOWN_RENDER_SECONDS", default=5.0)
MARKDOWNX_MEDIA_PATH = "markdownx/"
MARKDOWNX_UPLOAD_MAX_SIZE = 2 * 1024 * 1024
# Slides PDFs on topics (#13, seminar.materials.uploads): the most one file may weigh.
SEMINAR_SLIDES_MAX_BYTES = env.int("SLIDES_MAX_BYTES", default=20 * 1024 * 1024)
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 1600), "quality": 85}
MARKDOWNX_SERVER_CALL_LATENCY = 500
# Total bytes of images one member may upload (editor uploads), so the disk cannot be filled.
SEMINAR_UPLOAD_QUOTA_BYTES = env.int("UPLOAD_QUOTA_BYTES", default=50 * 1024 * 1024)

# The group's review form: new reviews start with these section headings. Unset, they are the
# built-in three in the member's language (reviews.services.DEFAULT_HEADINGS: 문제 정의,
# 해결 방법, 리뷰 in Korean; Problem, Method, Review in English).
SEMINAR_DEFAULT_REVIEW_HEADINGS = env.list("DEFAULT_REVIEW_HEADINGS", default=[])

# Swaps (#13, seminar.scheduling.swaps): what a new week starts with (each week can change it).
# "open": any member takes an offered role; "approve": an organizer approves each taking.
SEMINAR_SWAP_POLICY = env.str("SWAP_POLICY", default="open")
# Reviewing in a week one presents: "refuse" (default) or "warn" (allowed, with a note).
SEMINAR_SAME_WEEK_POLICY = env.str("SAME_WEEK_POLICY", default="refuse")
# Discussion (#15): a new week hides others' reviews of a topic from its reviewers until they
# submitted their own (organizers and members who do not review the topic always read them).
SEMINAR_HIDE_REVIEWS_UNTIL_SUBMITTED = env.bool("HIDE_REVIEWS_UNTIL_SUBMITTED", default=True)
# Invitations (#13): a resend waits this many minutes after the last email, at most this often.
SEMINAR_INVITATION_RESEND_MINUTES = env.int("INVITATION_RESEND_MINUTES", default=10)
SEMINAR_INVITATION_MAX_SENDS = env.int("INVITATION_MAX_SENDS", default=5)
# Votes for candidate papers (#13, papers.voting): how many a member casts per week (Monday to
# Sunday in the group's time zone), and how many topics make a week full for the agenda's
# "next week with room".
SEMINAR_VOTES_PER_WEEK = env.int("VOTES_PER_WEEK", default=3)
SEMINAR_TOPICS_PER_WEEK = env.int("TOPICS_PER_WEEK", default=2)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env.str("CACHE_URL", default=""):
    CACHES["default"] = env.cache("CACHE_URL")
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # Sign-in limits and rendered markdown live in the cache; a Redis that is down or hung
        # must not take the sign-in and the paper pages with it. The fail-open backend logs
        # and answers as an empty cache, and the timeouts bound what a hung server costs.
        CACHES["default"]["BACKEND"] = "seminar.lib.cache.FailOpenRedisCache"
        CACHES["default"].setdefault("OPTIONS", {})
        CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
        CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)
# Sessions in a cache of their own (same server, own key prefix): clearing the pages' cache
# does not send every signed-in member's next request to the database.
CACHES["sessions"] = {**CACHES["default"], "KEY_PREFIX": "session"}
if CACHES["sessions"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    CACHES["sessions"]["LOCATION"] = "sessions"  # locmem caches share one store per location
SESSION_CACHE_ALIAS = "sessions"

# Production hardening. Each can be relaxed from the environment (e.g. behind a TLS proxy).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("TRUST_X_FORWARDED_PROTO", default=False)
    else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script anywhere: every script is a file under static/. Inline styles stay allowed
# because KaTeX positions formulas with style attributes. Images come from the site only (its
# static files and members' uploads): a remote image in a review or digest would tell its
# server the address and reading time of everyone who opens the page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
