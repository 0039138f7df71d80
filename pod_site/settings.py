"""Settings for the whole project, read from the environment.

Every value has a default that works for `make run` (SQLite under var/, tasks run
in-process, emails written to var/outbox/). The full stack sets DATABASE_URL,
REDIS_URL and EMAIL_URL. docs/operations.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from pod_site.env import (
    ConfigError,
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
    "django.forms",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "teams",
    "meetings",
    "principles",
    "reflections",
    "intervision",
    "supervision",
    "audit",
    "dashboards",
    "security",
    # Above every app whose rows it reaches; after teams and meetings, whose admins
    # it registers again with the erasure actions (data_rights/admin.py).
    "data_rights",
    # The team page and invitations: above data_rights (a leaver's erasure).
    "people",
    # Demo and scale data for development, tests and `make bench` (devdata/).
    "devdata",
]

MIDDLEWARE = [
    # First: every request gets an id and one log line, whatever answers it.
    "pod_site.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files, before anything that reads the session (docs/operations.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every dynamic answer: Cache-Control no-store, private (docs/security.md).
    "security.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "security.middleware.SessionLimitsMiddleware",
    "security.middleware.MFARequiredMiddleware",
    # A session that ends while someone writes: 401 for htmx and fetch(), and a
    # plain POST kept for its author (security/pending.py).
    "security.middleware.EndedSessionMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pod_site.urls"
# Widgets render through the project's templates too (templates/forms/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
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
                "teams.landing.role_nav",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "pod.sqlite3")}
# PostgreSQL's JIT compiles any plan its estimates call costly: for this app's
# short queries the compiling costs far more than it saves (1.2 s of a 1.5 s
# query on My reflections searched; docs/performance.md, issue 16). Off for our
# connections, unless DATABASE_URL sets ?options=. Behind pgbouncer, which
# refuses this startup option, use `ALTER ROLE ... SET jit = off` instead.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
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
# Account emails speak in the app's voice (templates/account/email/,
# templates/mfa/email/; the adapter names the service and links to SITE_URL,
# and ends each subject with " · SERVICE_NAME", as the digest's do).
# People hear of every change to how they sign in (password, email, MFA).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# A password reset asked for an address with no account sends nothing, and the
# page reads the same as for a known address (docs/security.md).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True

# Multi-factor authentication (allauth.mfa): an authenticator app (TOTP) and
# recovery codes, offered to everyone and required of the roles below and of
# staff. Until they set it up, they reach only the set-up page
# (security/middleware.py). docs/security.md.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SERVICE_NAME
# allauth refuses to add an authenticator while an address is unverified (against
# someone signing up with another's address). Nobody signs up here, addresses are
# not verified (ACCOUNT_EMAIL_VERIFICATION "none"), and allauth's reset-token maker
# records every invitee's address as unverified: without this, an invited
# supervisor or lead went round the set-up page and mfa_index forever.
MFA_ALLOW_UNVERIFIED_EMAIL = True
_ROLES = {"peer_practitioner", "practitioner", "supervisor", "team_lead"}  # teams.models.Role
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["supervisor", "team_lead"])
if MFA_REQUIRED_ROLES == ["none"]:  # an empty variable means the default, so spell it out
    MFA_REQUIRED_ROLES = []
if unknown_roles := set(MFA_REQUIRED_ROLES) - _ROLES:
    raise ConfigError(
        "MFA_REQUIRED_ROLES", f"has unknown roles {sorted(unknown_roles)}; use {sorted(_ROLES)}."
    )
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", default=True)
# How often a session re-reads whether its person must use MFA (roles change).
MFA_RECHECK_SECONDS = 300
# Authenticator codes per account, whatever the address (security/mfa_limits.py):
# after MFA_FAILURE_LIMIT wrong codes within MFA_LOCKOUT_MINUTES, no code is
# checked for that account for MFA_LOCKOUT_MINUTES. Only someone who has the
# password reaches the code step, so a stranger cannot lock anyone out.
MFA_FAILURE_LIMIT = env_int("MFA_FAILURE_LIMIT", 5, minimum=1)
MFA_LOCKOUT_MINUTES = env_int("MFA_LOCKOUT_MINUTES", 15, minimum=1)
MFA_FORMS = {
    "authenticate": "security.mfa_limits.LimitedAuthenticateForm",
    "reauthenticate": "security.mfa_limits.LimitedReauthenticateForm",
}
# The sessions page (allauth.usersessions): where I am signed in, sign out of each.
USERSESSIONS_TRACK_ACTIVITY = False

# Client addresses: the number of reverse proxies in front of the app that
# append to X-Forwarded-For. 0 (no proxy) uses the connection's address, so a
# client cannot choose its own with a forged header.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Lockout (django-axes): LOGIN_FAILURE_LIMIT failed sign-ins for one username
# from one IP address lock that pair for LOGIN_LOCKOUT_MINUTES. Locking by IP
# alone would lock out a whole trust behind one proxy address; by username
# alone, anyone could lock anyone out, which is also why allauth's own
# per-account limit (5 failures for one email in 5 minutes, from anywhere) is
# dropped. Only its short per-IP throttle stays, against password spraying:
# 10 failures a minute, more than one person can make before axes stops them.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "security.axes.username"
AXES_CLIENT_IP_CALLABLE = "security.axes.client_ip"
AXES_LOCKOUT_CALLABLE = "security.axes.lockout_response"  # templates/axes/lockout.html
AXES_RESET_ON_SUCCESS = True
# The lockout lasts its 15 minutes from the lock, not from the latest try.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No email addresses in logs: axes masks the username and IP it logs. Of the
# form it keeps with a failed attempt, it masks the password and these fields.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "login", "csrfmiddlewaretoken"]
# Successful sign-ins are in the audit trail (audit/signals.py), without the
# email address and IP that axes's access log would keep.
AXES_DISABLE_ACCESS_LOG = True

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request (enforced
# by the database, see security/sessions.py) and SESSION_MAX_AGE seconds after
# sign-in, however active; the cookie goes when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_MAX_AGE = env_int("SESSION_MAX_AGE", 12 * 60 * 60, minimum=60)
SESSION_ACTIVITY_RESOLUTION = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), not the cookie
CSRF_COOKIE_SAMESITE = "Lax"
# A stale token (after signing in again in another tab) costs nothing typed:
# htmx and fetch() get JSON to retry with a fresh token, a plain form is kept.
CSRF_FAILURE_VIEW = "security.views.csrf_failure"

# Content Security Policy (django-csp 4): no inline script or style anywhere
# (htmx runs with allowEval false, see templates/base.html). The QR code for
# setting up an authenticator app is an SVG data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # Framed by our own pages only: the sign-in dialog shows allauth's
        # sign-in (and its MFA step) in an <iframe> on the page someone was
        # writing on when their session ended. No other site may frame us.
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
X_FRAME_OPTIONS = "SAMEORIGIN"
# W019 asks for X_FRAME_OPTIONS = "DENY"; same-origin framing is the in-page
# sign-in above (docs/security.md, "Sessions that end while someone is writing").
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Request size. The largest form is a reflection: 3 free-text fields and a
# note per principle (4 today, 11 if both frameworks were shown), each at most
# 20,000 characters. Form-encoded, a
# character takes 1 byte (plain ASCII) to 12 bytes (an emoji: 4 UTF-8 bytes,
# each sent as %XX), so the worst valid body is 14 x 20,000 x 12 = 3.36 MB:
# 4 MiB never refuses a valid note, and anything bigger is refused (400)
# before it is parsed. Over-long fields below that size get the form's own
# message. The most fields any form sends is about 40 plus one per selected
# person, far below 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Compressed and fingerprinted by `collectstatic`, served by whitenoise with
# long cache lifetimes (pod_site/storage.py). Tests render pages without
# running collectstatic, so they use plain storage (tests/conftest.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "pod_site.storage.StaticFilesStorage"},
}

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
            # Django's RedisCache, falling back to this process's memory (logged)
            # while Redis is down, so sign-in and password reset keep working.
            "BACKEND": "pod_site.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            # A cache call gives up within a second while Redis hangs, instead
            # of holding the request until the worker is killed.
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
    "task": "data_rights.tasks.delete_expired_reflections",
    "schedule": crontab(hour=3, minute=30),
}
# Seconds before the first retry of a digest whose send failed; doubled per retry.
DIGEST_RETRY_BACKOFF = env_int("DIGEST_RETRY_BACKOFF", 60, minimum=0)

# Logs (pod_site/logs.py): JSON lines by default with DEBUG off, plain text
# with DEBUG on; every record carries the request id. One line per request
# comes from RequestIdMiddleware, so gunicorn's access log is off (Procfile).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ConfigError("LOG_FORMAT", f"must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "pod_site.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "pod_site.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Never at DEBUG, whatever LOG_LEVEL says: Django's template logger then
    # dumps whole template contexts (a note's text, a form's email address), and
    # the database logger SQL parameters.
    "loggers": {
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # django-axes logs every successful sign-in's reset at INFO; lockouts are
        # WARNING and failed sign-ins are in the audit trail.
        "axes": {"level": "WARNING"},
        # The portfolio's PDF (reflections/portfolio.py): fontTools logs glyph
        # names at INFO and fpdf2 missing characters at WARNING, letters of the
        # note either way.
        "fontTools": {"level": "ERROR"},
        "fpdf": {"level": "ERROR"},
    },
}
# Celery's worker and beat log through the handler above (JSON), not their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # HTTPS only, in production. SECURE_COOKIES=false (trying the stack over
    # plain http on localhost) turns the redirect and HSTS off as well.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
    SECURE_HSTS_SECONDS = env_int(
        "SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if SESSION_COOKIE_SECURE else 0, minimum=0
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The health check answers over plain http too: compose, a load balancer
    # or `make stack` probe the process directly, behind any TLS. It carries
    # no cookie and no data, only which checks pass.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
# Behind a proxy that terminates TLS: the header it sets, e.g. X-Forwarded-Proto.
# Set it only when the proxy always sets (or strips) that header.
if proxy_ssl_header := env_str("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https")

# The dashboard's monthly rollup (dashboards/rollup.py), rebuilt by beat; the
# page shows when it last was.
CELERY_BEAT_SCHEDULE["refresh-dashboard-rollup"] = {
    "task": "dashboards.tasks.refresh_rollup",
    "schedule": crontab(minute="*/15"),
}
