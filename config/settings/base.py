"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VCASSURE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Earlier keys, comma-separated, still accepted when reading what they signed (sessions, personal
# acknowledgement links) while a new SECRET_KEY signs everything new: keep the old one here for
# ACK_LINK_MAX_AGE_HOURS after a rotation (README, Runbook).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # /api/docs from its own static files (no CDN; the CSP allows only this origin)
    "template_partials",
    "huey.contrib.djhuey",
    "axes",
    "vcassure.core",
    "vcassure.accounts",
    "vcassure.orgs",
    "vcassure.venues",
    "vcassure.notifications",
    "vcassure.checklists",
    "vcassure.faults",
    "vcassure.probes",
    "vcassure.transfer",
    "vcassure.meetings",
    "vcassure.routine",
    "vcassure.integrations",
    "vcassure.reports",
    "vcassure.duty",
    "vcassure.home",
    "vcassure.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vcassure.core.middleware.CredentialPathNoStoreMiddleware",
    # Files stored during a request stay only if the transaction that refers to them commits.
    "vcassure.core.stored_files.UploadsKeptOnlyIfCommittedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vcassure.core.middleware.IdleSessionMiddleware",
    "vcassure.core.middleware.LanguageMiddleware",
    "vcassure.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vcassure.core.middleware.RequestContextMiddleware",
    "vcassure.core.middleware.CredentialPathLogMiddleware",
    # Readable 403/404/410/500 pages under DEBUG too (the API keeps its JSON errors).
    "vcassure.core.error_pages.ErrorPagesMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its answer (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vcassure" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

# Database: SQLite in WAL mode unless DATABASE_URL names another.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vcassure.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A connection per request. Kept open (CONN_MAX_AGE 60) the dashboard refresh over HTTP took
    # half the time (a new connection starts with an empty page cache), but the acknowledgement
    # burst fell from 239 to 35 requests a second (issue 18's measurements, README).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    # A persistent connection is checked before a request reuses it: after the database restarts,
    # a worker reconnects instead of answering its next request with a 500 (soak scenario).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: one throttle (django-axes) for every way in. Its backend comes first and checks
# every django.contrib.auth.authenticate(request, ...) call: the login page, the admin's login page,
# and any future form or endpoint that takes a password. LOGIN_FAILURE_LIMIT failures lock out for
# LOGIN_FAILURE_WINDOW_MINUTES after the last one; who is locked is vcassure.accounts.throttle's
# choice (the address; the name only for addresses its person never logged in from).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "30"))
# An address a name logged in from within this many days is "known" to that name.
LOGIN_KNOWN_ADDRESS_DAYS = int(os.environ.get("LOGIN_KNOWN_ADDRESS_DAYS", "90"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_FAILURE_WINDOW_MINUTES)
AXES_LOCKOUT_PARAMETERS = "vcassure.accounts.throttle.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "vcassure.accounts.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "vcassure.core.middleware.request_client_ip"
# A success does not wipe the failures: knowing one password must not reset an address's count.
AXES_RESET_ON_SUCCESS = False
# Addresses of reverse proxies whose X-Forwarded-For is believed (production: the proxy on loopback).
# Without them, every request behind a proxy would come from one address and share one lock.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
CSRF_FAILURE_VIEW = "vcassure.core.error_pages.csrf_failure"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "120")) * 60
# The idle clock restarts on every request a person makes (IdleSessionMiddleware marks the session
# modified), but not on the dashboard's background polls: SESSION_SAVE_EVERY_REQUEST would save those.
SESSION_SAVE_EVERY_REQUEST = False

# Content-Security-Policy (django-csp): scripts and styles from this origin only; templates carry no
# inline <script>, <style>, style="" or on*="" (a test checks), htmx's eval and injected styles are off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "vcassure" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: uploads go through views that apply scope
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached for a year by WhiteNoise) and gzip/Brotli copies made by collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

# Task queue: SqliteHuey beside the database by default, RedisHuey when REDIS_URL is set.
HUEY: dict[str, Any]
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "vcassure",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "vcassure",
        "filename": str(Path(os.environ.get("HUEY_SQLITE_PATH", VAR_DIR / "huey.sqlite3"))),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Outside services (used by the notification channels).
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
EMAIL_URL = os.environ.get("EMAIL_URL", "")
OA_WEBHOOK_URL = os.environ.get("OA_WEBHOOK_URL", "")
ACK_MINUTES_IM = int(os.environ.get("ACK_MINUTES_IM", "10"))
ACK_WORKING_MINUTES_OFFICE = int(os.environ.get("ACK_WORKING_MINUTES_OFFICE", "120"))
ACK_LINK_MAX_AGE_HOURS = int(os.environ.get("ACK_LINK_MAX_AGE_HOURS", "72"))
# The personal link opens its task's field pages without a login until this long after the meeting.
FIELD_PASS_HOURS_AFTER_MEETING = int(os.environ.get("FIELD_PASS_HOURS_AFTER_MEETING", "4"))
# Check-in opens this long before the task's on-site deadline (R10), and a check-in located more
# than CHECK_IN_FAR_METRES from the venue's coordinates is flagged on the dashboard and the card.
CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE = float(
    os.environ.get("CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE", "3")
)
CHECK_IN_FAR_METRES = int(os.environ.get("CHECK_IN_FAR_METRES", "1000"))
# Personal channels in the order they are tried (first = primary, the rest = failover). A channel
# is used only when it is configured (its URL or app credentials are set).
PERSONAL_CHANNEL_ORDER = env_list(
    "PERSONAL_CHANNEL_ORDER", "dingtalk_work_notice,wecom_app_message,sms,aliyun_sms,email,oa"
)
NOTIFY_HTTP_TIMEOUT_SECONDS = float(os.environ.get("NOTIFY_HTTP_TIMEOUT_SECONDS", "5"))
# At most this many requests in flight at once to one provider host (per worker process).
NOTIFY_SENDS_PER_HOST = int(os.environ.get("NOTIFY_SENDS_PER_HOST", "8"))
# How long a worker holds the deliveries it claimed before another may take them over (it died).
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "90"))
DINGTALK_API_URL = os.environ.get("DINGTALK_API_URL", "https://oapi.dingtalk.com")
DINGTALK_APP_KEY = os.environ.get("DINGTALK_APP_KEY", "")
DINGTALK_APP_SECRET = os.environ.get("DINGTALK_APP_SECRET", "")
DINGTALK_AGENT_ID = os.environ.get("DINGTALK_AGENT_ID", "")
WECOM_API_URL = os.environ.get("WECOM_API_URL", "https://qyapi.weixin.qq.com")
WECOM_CORP_ID = os.environ.get("WECOM_CORP_ID", "")
WECOM_CORP_SECRET = os.environ.get("WECOM_CORP_SECRET", "")
WECOM_AGENT_ID = os.environ.get("WECOM_AGENT_ID", "")
ALIYUN_ACCESS_KEY_ID = os.environ.get("ALIYUN_ACCESS_KEY_ID", "")
ALIYUN_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = os.environ.get("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_TEMPLATE_CODE = os.environ.get("ALIYUN_SMS_TEMPLATE_CODE", "")
ALIYUN_VOICE_TTS_CODE = os.environ.get("ALIYUN_VOICE_TTS_CODE", "")
ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com")
ALIYUN_VOICE_ENDPOINT = os.environ.get("ALIYUN_VOICE_ENDPOINT", "https://dyvmsapi.aliyuncs.com")
# Hosts the platform may call out to (group robots; webhooks later), comma-separated: exact names or
# addresses, or "*.example.com" for any name under it (those must resolve to public addresses).
# The hosts of the service URLs above, set by the same administrator, are always added.
OUTBOUND_URL_ALLOWLIST = env_list(
    "OUTBOUND_URL_ALLOWLIST", "oapi.dingtalk.com,api.dingtalk.com,qyapi.weixin.qq.com"
) + [
    host
    for host in (
        urlsplit(url).hostname
        for url in (DINGTALK_API_URL, WECOM_API_URL, SMS_GATEWAY_URL, OA_WEBHOOK_URL)
    )
    if host
]
NOTIFICATION_CHANNELS = [
    "vcassure.notifications.channels.dingtalk.DingTalkRobotChannel",
    "vcassure.notifications.channels.wecom.WeComRobotChannel",
    "vcassure.notifications.channels.dingtalk.DingTalkWorkNoticeChannel",
    "vcassure.notifications.channels.wecom.WeComAppMessageChannel",
    "vcassure.notifications.channels.sms.HttpSmsChannel",
    "vcassure.notifications.channels.sms.AliyunSmsChannel",
    "vcassure.notifications.channels.email.EmailChannel",
    "vcassure.notifications.channels.oa.OaWebhookChannel",
    "vcassure.notifications.channels.voice.AliyunVoiceChannel",
]
# Working hours for office-channel deadlines: comma-separated HH:MM-HH:MM windows.
WORKING_HOURS = os.environ.get("WORKING_HOURS", "08:30-12:00,13:30-17:30")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"credential_path": {"()": "vcassure.core.logging.CredentialPathFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # Django's own format for the development server's access log.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # httpx logs every request URL at INFO, and robot URLs carry access tokens: keep it quiet.
    "loggers": {
        "huey": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},
        # The development server (runserver, run_platform's demo mode) prints every request line,
        # and the path of an acknowledgement or share link is the credential: printed redacted.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["credential_path"],
        },
        # Its start-up banner on every command; failures and lockouts (axes.handlers) still log.
        "axes.apps": {"level": "WARNING"},
    },
}

# GET /metrics (Prometheus): answered to direct connections from these addresses, or to anyone with
# "Authorization: Bearer <METRICS_TOKEN>" (a request that came through the reverse proxy needs the token).
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# Readiness probes (C13): per-device timeout (s), how many at once, the Fernet key of the stored
# credentials (default: derived from SECRET_KEY), and the networks probes may reach (empty: all).
PROBE_TIMEOUT = float(os.environ.get("PROBE_TIMEOUT", "2.0"))
PROBE_CONCURRENCY = int(os.environ.get("PROBE_CONCURRENCY", "500"))
PROBE_CREDENTIALS_KEY = os.environ.get("PROBE_CREDENTIALS_KEY", "")
PROBE_ALLOWED_NETWORKS = env_list("PROBE_ALLOWED_NETWORKS", "")
