"""Django's core: the apps, the request path, languages, security, e-mail and logging."""

from __future__ import annotations

import os

from newsroom.settings.environment import envbool, envint, envlist, envsecret

# --- Core ---------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings

DEBUG = envbool("DEBUG", "false")

# The fallback key is only good for development; `check --deploy` flags it (security.W009).
SECRET_KEY = envsecret("SECRET_KEY") or "django-insecure-development-only-key-change-me"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# Absolute base URL of the public site, used for canonical URLs, feeds and webhooks.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Absolute base URL where newsroom itself answers (its paths are appended): links it gives to
# itself, such as the API's `next`/`previous`, preview links and the feeds' own addresses.
# Never built from the request's Host, which the client chooses (newsroom.checks).
API_BASE_URL = os.environ.get("API_BASE_URL", SITE_URL).rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
# Where the front end shows an article; used for canonical URLs, feeds, sitemaps, JSON-LD.
ARTICLE_URL_TEMPLATE = os.environ.get("ARTICLE_URL_TEMPLATE", "{site_url}/{section}/{slug}")

INSTALLED_APPS = [
    # Without `autodiscover` at start: the admin URLconf (newsroom.admin_urls) runs it when
    # it is first needed, so a worker serving only the public API never loads the admins.
    "newsroom.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    # The admin's rich-text body editor; its JavaScript and CSS are served from our static files.
    "django_prose_editor",
    "newsroom",
    "tagging",
    # Tokens for the write API (/api/v1/manage/), stored hashed; the public API is anonymous.
    "newsroom.accounts",
    "newsroom.jobs",
    "articles.photos",
    "articles",
    "articles.published",
    "articles.wordpress",
]

MIDDLEWARE = [
    # First, so every response (redirects and Django's own refusals too) has X-Request-ID.
    "newsroom.http.middleware.RequestIdMiddleware",
    # Public reads from a read replica, when DATABASE_REPLICA_URLS names any.
    "newsroom.http.replicas.ReplicaMiddleware",
    # Before anything reads the URL: an over-long one is refused (414) at once.
    "newsroom.http.middleware.UriLengthLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions, the admin's language, users and messages, only on the editorial side: the
    # public paths (API, feeds, sitemaps) skip them.
    "newsroom.http.middleware.EditorialMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag from the response body and 304 answers to conditional GETs (API, feeds, sitemaps).
    "newsroom.http.middleware.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The admin's checks that Django's session, authentication and message middleware are in
# MIDDLEWARE: EditorialMiddleware runs them, on the editorial side only, and
# newsroom.checks.check_editorial_middleware (newsroom.E006) checks for it instead.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

# --- Security -----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#security ; secure by default, relaxed by
# DEBUG for local http development. `manage.py check --deploy` is clean with production values.

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if envbool("SECURE_PROXY_SSL_HEADER", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false" if DEBUG else "true")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "false" if DEBUG else "true")
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Staff sign in through the admin (there is no /accounts/ page). After signing in, a `next`
# that is missing or leads off the site (`//evil.example`, `/\evil`) falls back to the index.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail (the admin's password reset, sent by a worker) --------------------------------
# https://docs.djangoproject.com/en/5.2/topics/email/

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

# --- Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # request_id: the X-Request-ID of the request being served ("-" outside a request).
    "filters": {"request_id": {"()": "newsroom.logging_filters.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
