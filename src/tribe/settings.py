"""Tribe settings. Everything a deployment changes comes from the environment (see README "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The data directory holds the embedded SQLite database, uploaded media and collected static files.
DATA_DIR = Path(os.environ.get("TRIBE_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "tribe-insecure-dev-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "tribe.core",
    "tribe.accounts",
    "tribe.brands",
    "tribe.catalog",
    "tribe.search",
    "tribe.inventory",
    "tribe.orders",
    "tribe.payments",
    "tribe.aftersales",
    "tribe.content",
    "tribe.sharing",
    "tribe.social",
    "tribe.circles",
    "tribe.posts",
    "tribe.curation",
    "tribe.qa",
    "tribe.fans",
    "tribe.feed",
    "tribe.messaging",
    "tribe.notifications",
    "tribe.distribution",
    "tribe.commissions",
    "tribe.referrals",
    "tribe.campaigns",
    "tribe.loyalty",
    "tribe.coupons",
    "tribe.groupbuy",
    "tribe.bargain",
    "tribe.flashsale",
    "tribe.lottery",
    "tribe.trials",
    "tribe.presale",
    "tribe.reach",
    "tribe.analytics",
    "tribe.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tribe.core.middleware.QueryCountHeaderMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tribe.core.middleware.VisitSourceMiddleware",
]

ROOT_URLCONF = "tribe.urls"
WSGI_APPLICATION = "tribe.wsgi.application"
ASGI_APPLICATION = "tribe.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tribe.web.context.shell",
            ],
        },
    },
]

DATA_DIR_SQLITE = DATA_DIR / "tribe.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR_SQLITE}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE transactions take the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# The embedded setup serves uploads itself; behind nginx/OSS set TRIBE_SERVE_MEDIA=0.
SERVE_MEDIA = env_bool("TRIBE_SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start when it is missing
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: images are checked by Pillow; anything larger is refused before decoding.
TRIBE_MAX_IMAGE_BYTES = int(os.environ.get("TRIBE_MAX_IMAGE_BYTES", str(5 * 1024 * 1024)))
TRIBE_MAX_IMAGE_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Orders: how long checkout holds stock for payment; receipt auto-confirmed N days after shipping; after-sales
# window after receipt before an order completes.
TRIBE_RESERVATION_MINUTES = int(os.environ.get("TRIBE_RESERVATION_MINUTES", "15"))
TRIBE_AUTO_RECEIVE_DAYS = int(os.environ.get("TRIBE_AUTO_RECEIVE_DAYS", "10"))
TRIBE_AFTER_SALES_DAYS = int(os.environ.get("TRIBE_AFTER_SALES_DAYS", "7"))
# home feed: authors/brands with at least this many followers are merged at read instead of fanned out
FEED_FANOUT_THRESHOLD = int(os.environ.get("TRIBE_FEED_FANOUT_THRESHOLD", "1000"))
FEED_PROMO_PER_DAY = int(os.environ.get("TRIBE_FEED_PROMO_PER_DAY", "3"))  # distinct promotions a day

# Reach (tribe.reach): email digests via Django's email backend (console by default: set TRIBE_EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST etc. in production), Web Push with VAPID keys
# from `tribe vapid-keys`. Pushes share the feed's daily promotion cap.
TRIBE_SITE_URL = os.environ.get("TRIBE_SITE_URL", "")
EMAIL_BACKEND = os.environ.get("TRIBE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("TRIBE_FROM_EMAIL", "部落 Tribe <noreply@tribe.invalid>")
TRIBE_DIGEST_DAYS = int(os.environ.get("TRIBE_DIGEST_DAYS", "7"))
TRIBE_VAPID_KEY_FILE = os.environ.get("TRIBE_VAPID_KEY_FILE", "")
TRIBE_VAPID_SUBJECT = os.environ.get("TRIBE_VAPID_SUBJECT", "mailto:ops@tribe.invalid")
# Payment gateways: the platform's merchant accounts (a store may configure its own: payments.PaymentAccount).
# TRIBE_PAYMENT_CONFIG names a JSON file {"alipay": {...}, "wechat": {...}} (keys: docs/payments.md); the dummy
# gateway is on unless TRIBE_DUMMY_PAYMENTS=0 (turn it off in production).
TRIBE_PAYMENT_GATEWAYS: dict = {"dummy": {}} if env_bool("TRIBE_DUMMY_PAYMENTS", True) else {}
if os.environ.get("TRIBE_PAYMENT_CONFIG"):
    import json

    TRIBE_PAYMENT_GATEWAYS.update(json.loads(Path(os.environ["TRIBE_PAYMENT_CONFIG"]).read_text(encoding="utf-8")))

# When set, every response carries X-Tribe-Queries (SQL statements run) for `tribe bench`.
TRIBE_QUERY_HEADER = env_bool("TRIBE_QUERY_HEADER", False)

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_ENGINE = "django.contrib.sessions.backends.db"
API_TOKEN_TTL_DAYS = int(os.environ.get("TRIBE_API_TOKEN_TTL_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if not DEBUG and env_bool("TRIBE_SECURE_COOKIES", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
