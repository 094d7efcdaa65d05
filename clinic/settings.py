"""Settings for the clinic site, read from environment variables.

Every variable is listed with a one-line comment in `.env.example` and in docs/configuration.md.
Defaults suit a laptop; production must set `DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS`.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic.env import env_bool, env_int, env_list, env_networks, env_rate, env_str
from clinic.logs import logging_config
from clinic.static_headers import add_security_headers

BASE_DIR = Path(__file__).resolve().parent.parent


# Core
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 on a development machine."
        )
    # Only ever used with DEBUG on, on a developer's laptop.
    SECRET_KEY = "dev-only-key-never-used-in-production-7f3a9c1e5b2d8f4a6c0e1b3d5f7a9c2e4b6d8f0a"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "csp",
    "axes",
    # The project package: staff roles (clinic/roles.py) and sync_roles, seen by every app.
    "clinic",
    "articles",
    "contacts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware so static files skip the rest of the stack; their security
    # headers come from WHITENOISE_ADD_HEADERS_FUNCTION.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages get their shared-cache lifetime and ETag here (see clinic/http_cache.py); above the
    # session, CSRF and messages middleware so that it sees every cookie they set.
    "clinic.http_cache.SharedCacheHeadersMiddleware",
    # ETag and 304 answers for browsers, computed from the page itself.
    "django.middleware.http.ConditionalGetMiddleware",
    # Answers /healthz and /readyz before anything reads the Host header (CommonMiddleware does),
    # so a load balancer probing by private IP is not refused by ALLOWED_HOSTS.
    "clinic.middleware.HealthCheckMiddleware",
    "clinic.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads a request body; below the header middleware, so the 413 page gets them.
    "clinic.middleware.RequestBodyLimitMiddleware",
    # Before anything can put a NUL from the query string or a form into a query (PostgreSQL refuses it).
    "clinic.middleware.NullCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# Database
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers writing at once (messages arriving together) wait for the write lock
    # instead of failing with "database is locked": transactions take it at BEGIN, a writer
    # waits up to 20 s, and WAL lets pages be read while a message is being stored.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign-in
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The admin's address, e.g. "staff-7f3a/"; robots.txt disallows whatever it is.
ADMIN_PATH = env_str("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_PATH must not be empty: the public pages live at the site root.")
# Lock a username from one address (not the whole address: a clinic shares one office IP).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# No start-up banner in the logs of every process.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "clinic.views.login_locked_out"
# Axes' default, relied on by the lockout page's Retry-After: each try while paused starts the
# cool-off again, so a refused sign-in waits the whole AXES_COOLOFF_TIME from then.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# One idea of "the client's address" for rate limits and lockouts, proxies included.
AXES_CLIENT_IP_CALLABLE = "clinic.client_address.client_address"
# Staff sessions end after this many idle minutes (every request slides the expiry) or when the
# browser closes, so a shared front-desk computer does not stay signed in.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Passwords
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# Static files
STATIC_URL = "/static/"
# Filled by `collectstatic` at deploy time, then only read (WhiteNoise serves it).
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files get the security headers that matter for files (see clinic/static_headers.py),
# and no CORS header: no other site has any business reading them.
WHITENOISE_ADD_HEADERS_FUNCTION = add_security_headers
WHITENOISE_ALLOW_ALL_ORIGINS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str("DJANGO_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = "US"

# Email
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
# No patient's request talks to the mail server (staff notifications are sent by the scheduled
# sender); the sender, the outbox's "Send again now" and error reports to ADMINS still must not
# hang on it for long.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "website@clinic.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The clinic
CLINIC_NAME = env_str("DJANGO_CLINIC_NAME", "Lakeside Recovery Clinic")
CLINIC_PHONE = env_str("DJANGO_CLINIC_PHONE", "(708) 613-4750")
CLINIC_PHONE_E164 = env_str("DJANGO_CLINIC_PHONE_E164", "+17086134750")
# When a patient can expect contact, said on the message form and its confirmation page.
REPLY_TIME_TEXT = env_str("DJANGO_REPLY_TIME_TEXT", "A counselor usually replies within one business day.")
OFFICE_HOURS_TEXT = env_str("DJANGO_OFFICE_HOURS_TEXT", "Office hours: Monday to Friday, 8 am to 6 pm Central time.")
# Absolute base for links in emails and feeds, e.g. https://clinic.example.org
SITE_URL = env_str("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Security
# Behind the TLS proxy: it must set (not pass through) X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off only for a production-like run over plain HTTP on one machine (benchmarks).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancer probes speak plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Not built into Django 5.2; sent by clinic.middleware.SecurityHeadersMiddleware and on static files.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Secure cookies with __Host- names (HTTPS only, whole site, no Domain) whenever DEBUG is off.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Preloading HSTS is a commitment for every subdomain, so it is opt-in; without it
# `check --deploy` would warn (W021) about a choice made on purpose.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content Security Policy (django-csp 4). Nothing inline and nothing from another host: every
# script and stylesheet is a file under static/, including the admin's.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws form controls' icons with data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Abuse control
# Our own proxies: only a request coming straight from one of them may name the client in
# X-Forwarded-For (see clinic/client_address.py). Empty: the socket address is the client.
TRUSTED_PROXIES = env_networks("DJANGO_TRUSTED_PROXIES")
# Forms sent sooner than this after the page loaded (as the page's own script measured it) are
# stored as suspected spam; without the script the time is not known and counts for nothing.
MIN_FORM_FILL_SECONDS = env_int("DJANGO_MIN_FORM_FILL_SECONDS", 3)
# Messages a client may send from the contact form per window: (hits, seconds).
MESSAGE_RATE_LIMIT = env_rate("DJANGO_MESSAGE_RATE_LIMIT", "5/600")
# A message form is a few kB; any request body larger than this, files included, is refused with
# a friendly 413 page (clinic.middleware.RequestBodyLimitMiddleware). nginx's client_max_body_size
# in deploy/nginx/clinic.conf.template is the same number.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# No form on the site takes a file (the admin neither): any file part is refused with a 400 page.
DATA_UPLOAD_MAX_NUMBER_FILES = 0

# Messages from patients
# A public form refused as cross-site (or a staff form with an expired token) comes back filled in,
# not as a bare 403.
CSRF_FAILURE_VIEW = "clinic.csrf.csrf_failure"
# Counselors told (by number and admin link only) that a message arrived.
COUNSELORS_EMAIL = env_list("DJANGO_COUNSELORS_EMAIL")
# Also told of every urgent message and crisis comment, e.g. an on-call mailbox (optional).
URGENT_EMAIL = env_list("DJANGO_URGENT_EMAIL")
# A staff notification still unsent this many minutes after it was queued is late: the admin home
# page says so to staff who work messages, each sender run logs an ERROR and
# `manage.py notifications_status` exits non-zero.
NOTIFICATION_ALARM_MINUTES = env_int("DJANGO_NOTIFICATION_ALARM_MINUTES", 15)
if NOTIFICATION_ALARM_MINUTES < 1:
    raise ImproperlyConfigured("DJANGO_NOTIFICATION_ALARM_MINUTES must be 1 or more.")
# `manage.py purge_messages` deletes closed messages this many days after their last change.
MESSAGE_RETENTION_DAYS = env_int("DJANGO_MESSAGE_RETENTION_DAYS", 365)
if MESSAGE_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("DJANGO_MESSAGE_RETENTION_DAYS must be 1 or more.")

# Comments
# Staff addresses told when a comment waits for moderation (comma-separated).
MODERATORS_EMAIL = env_list("DJANGO_MODERATORS_EMAIL")
# A comment with more links than this waits for a moderator even when it could be auto-approved.
COMMENT_MAX_LINKS = env_int("DJANGO_COMMENT_MAX_LINKS", 2)
# Whole words or phrases (any case) that mark a comment as spam.
COMMENT_DISALLOWED_WORDS = env_list("DJANGO_COMMENT_DISALLOWED_WORDS")
# Publish straight away when the author's email already has an approved comment.
COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = env_bool("DJANGO_COMMENT_AUTO_APPROVE_KNOWN_AUTHORS", False)
# Close comments this many days after an article is published (0: never).
COMMENTS_CLOSE_AFTER_DAYS = env_int("DJANGO_COMMENTS_CLOSE_AFTER_DAYS", 0)
# Comments one client may post in COMMENT_RATE_WINDOW seconds.
COMMENT_RATE_LIMIT = env_int("DJANGO_COMMENT_RATE_LIMIT", 5)
COMMENT_RATE_WINDOW = 600
# A second comment from the same client sooner than this is refused, as WordPress does.
COMMENT_FLOOD_SECONDS = 15

# Public pages (home, articles, the message form) may be kept this many seconds by the shared
# HTTP cache in front (nginx, deploy/nginx/): the bound on how late an edit reaches readers.
SHARED_CACHE_SECONDS = env_int("DJANGO_SHARED_CACHE_SECONDS", 5)
if not 0 <= SHARED_CACHE_SECONDS <= 10:
    raise ImproperlyConfigured("DJANGO_SHARED_CACHE_SECONDS must be between 0 and 10: edits reach readers within it.")

# Cache: only rate limits live in it. Redis when given (shared by every app server); otherwise a
# table in the database, shared by every worker (`migrate` creates it). If the cache is down,
# rate limits let requests through; nothing else depends on it.
CACHE_URL = env_str("DJANGO_CACHE_URL") or env_str("REDIS_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # Several sites (or test runs) can share one Redis database without seeing each other's keys.
            "KEY_PREFIX": env_str("DJANGO_CACHE_KEY_PREFIX", "clinic"),
            # A hung Redis must cost a request a second, not a worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clinic_cache"}}
# Staff sessions in the database only: staff can sign in and work whatever state Redis is in.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Flash messages ("your comment is awaiting moderation") in a short-lived cookie, never a session.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Errors and logs
# "Name <address>, Name <address>": who gets an email for each server error. Empty: nobody.
ADMINS = [(name, address) for name, address in getaddresses([env_str("DJANGO_ADMINS")]) if address]
# Error reports (emails to ADMINS) never carry POST data, cookies, local variables or the
# exception text, which may hold a patient's words or contact details.
DEFAULT_EXCEPTION_REPORTER = "clinic.errors.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic.errors.PrivateExceptionReporterFilter"
LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = logging_config(level=LOG_LEVEL)
