"""Settings for the whole project, read from the environment.

Every value has a default that works for `make run` (SQLite under var/, tasks run
in-process, emails written to var/outbox/). The full stack sets DATABASE_URL,
REDIS_URL and EMAIL_URL. docs/operations.md lists every variable.
"""

from pathlib import Path

from celery.schedules import crontab

from pod_site.env import (
    env_bool,
    env_database,
    env_email,
    env_fernet_keys,
    env_int,
    env_list,
    env_redis_url,
    env_required,
    env_str,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)

if DEBUG:
    # Only ever used on a developer's machine: DEBUG is never on in production.
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-local-development-only")
else:
    SECRET_KEY = env_required("SECRET_KEY", "when DEBUG is off (a long random string)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SERVICE_NAME = env_str("SERVICE_NAME", "POD Reflect")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "teams",
    "meetings",
    "principles",
    "reflections",
    "supervision",
    "audit",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "pod_site.urls"
WSGI_APPLICATION = "pod_site.wsgi.application"

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
                "pod_site.context_processors.service",
                "dashboards.context_processors.dashboard_nav",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "pod.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: people sign in with their email address; there is no open
# sign-up (an admin makes accounts, see teams/adapters.py).
ACCOUNT_ADAPTER = "teams.adapters.NoSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Encryption at rest of reflections' free text (reflections/fields.py): Fernet
# keys, newest first. Required when DEBUG is off; with DEBUG on, a development
# key is generated under var/ so that `make run` needs nothing set.
FIELD_ENCRYPTION_KEYS = env_fernet_keys(
    "FIELD_ENCRYPTION_KEYS", VAR_DIR / "field_encryption.key" if DEBUG else None
)

# Email: EMAIL_URL, or files under var/outbox/ by default.
globals().update(env_email("EMAIL_URL", VAR_DIR / "outbox"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "POD Reflect <no-reply@localhost>")

# Redis: the Celery broker and the cache. Without it, tasks run in-process and
# the cache lives in memory, which is all `make run` needs.
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A request that touches the cache fails within a second while Redis
            # is down, instead of hanging until the worker is killed.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# acks_late is set per task, only where the work is claimed in the database
# (supervision.tasks.send_digest). Every task has a time limit; tasks set shorter ones.
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# One message at a time per worker process: a slow SMTP server holds up one
# digest, not a prefetched batch.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One beat only (Procfile, docker-compose.yml). Each period start is 08:00 local
# time, so a tick every 15 minutes sends a digest by 08:15.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "enqueue-due-digests": {
        "task": "supervision.tasks.enqueue_due_digests",
        "schedule": crontab(minute="*/15"),
    },
}
# Reflections older than this many years are deleted by a daily task (0: keep).
REFLECTION_RETENTION_YEARS = env_int("REFLECTION_RETENTION_YEARS", 8, minimum=0)
CELERY_BEAT_SCHEDULE["delete-expired-reflections"] = {
    "task": "teams.tasks.delete_expired_reflections",
    "schedule": crontab(hour=3, minute=30),
}
# Seconds before the first retry of a digest whose send failed; doubled per retry.
DIGEST_RETRY_BACKOFF = env_int("DIGEST_RETRY_BACKOFF", 60, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# The dashboard's monthly rollup (dashboards/rollup.py), rebuilt by beat; the
# page shows when it last was.
CELERY_BEAT_SCHEDULE["refresh-dashboard-rollup"] = {
    "task": "dashboards.tasks.refresh_rollup",
    "schedule": crontab(minute="*/15"),
}
