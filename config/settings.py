"""Settings for the mock-interview backend.

Every tunable is read here, once, from the environment (a `.env` file in the project root is read
if present; the real environment wins). README's configuration table lists each one with its default.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)


def _refuse_weak_secret(name: str, value: str) -> None:
    """With DEBUG off a secret must resist guessing: Django's own bar (`check --deploy`, security.W009)."""
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            f"{name} must be at least 50 characters, with at least 5 different ones, when DEBUG is off "
            "(and not a 'django-insecure-' throwaway). Generate one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
if not DEBUG:
    _refuse_weak_secret("SECRET_KEY", SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Data that must survive restarts but never enters git: the SQLite file, uploaded/generated media.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))

INSTALLED_APPS = [
    "accounts.apps.AdminConfig",  # django.contrib.admin, its login page throttled like the API's
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "interviews",
    "chat",
    "speech",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)  # SQLite creates files, not folders
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue on the busy
    # timeout instead of failing with "database is locked" halfway through a transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so that tests with threads share one database like production does;
    # beside the configured one, so that two checkouts or suites with their own DATABASE_URL never meet.
    _db["TEST"] = {"NAME": str(Path(_db["NAME"]).with_name("test-" + Path(_db["NAME"]).name))}
elif _db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
    _db["ENGINE"] = "django.db.backends.postgresql"
    if env.bool("DB_POOL", default=True):
        # psycopg 3's pool, one per process, shared by its threads; CONN_MAX_AGE must stay 0 with it.
        _db["OPTIONS"] = {
            **_db.get("OPTIONS", {}),
            "pool": {
                "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
                "max_size": env.int("DB_POOL_MAX_SIZE", default=20),
                "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
            },
        }
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        _db["CONN_HEALTH_CHECKS"] = True

# --- Cache (and so throttling) ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth and passwords -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # "Token" keeps the original Mock-Interviewer frontend working unchanged.
    "AUTH_HEADER_TYPES": ("Bearer", "Token"),
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
}
if not DEBUG and SIMPLE_JWT["SIGNING_KEY"] != SECRET_KEY:
    _refuse_weak_secret("JWT_SIGNING_KEY", SIMPLE_JWT["SIGNING_KEY"])

# --- Internationalisation and time ------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Audio and other media: the filesystem by default; S3 or any S3-compatible store (MinIO, R2, ...)
# when S3_BUCKET is set, through django-storages.
S3_BUCKET = env.str("S3_BUCKET", default="")
_default_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
            "file_overwrite": True,  # clips are content-addressed: same name, same bytes
            "default_acl": None,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "config.storage.StaticFilesStorage"
        )
    },
}

# --- HTTP, proxies and CORS -------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|feed)/.*$"
# A web app hosted elsewhere sends these on answers (idempotent retries, the event stream) and reads these.
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key")
CORS_EXPOSE_HEADERS = ["Retry-After", "Idempotent-Replayed"]
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Only behind a proxy that sets X-Forwarded-Proto itself; otherwise clients could spoof https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The container's health check calls gunicorn over plain http from inside; it must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
# HSTS: browsers refuse plain http for this long once they have seen https (0 = off). Start small;
# preload is a promise to browser vendors that is slow to take back.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# The largest request body outside file uploads (JSON, forms); beyond it 413 payload_too_large.
# The longest answer (4000 characters) is under 50 KB of JSON, however escaped.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_BODY_BYTES", default=1_048_576)

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # simplejwt's, refusing the tokens of sessions that a password change ended.
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],  # bounded nesting, valid Unicode
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=20),
    "EXCEPTION_HANDLER": "config.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env.str("LOGIN_RATE_PER_IP", default="20/min"),
        "login_username": env.str("LOGIN_RATE_PER_USERNAME", default="5/min"),
        "register_ip": env.str("REGISTER_RATE_PER_IP", default="10/hour"),
        # Speech to text costs no quota unit, so this is what bounds a user's transcriptions.
        "transcription": env.str("STT_RATE_PER_USER", default="60/hour"),
    },
    # How many proxies sit in front of the app; 0 means REMOTE_ADDR is the client (X-Forwarded-For
    # ignored, so throttles cannot be dodged by sending a fake header).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mock Interviewer API",
    "DESCRIPTION": "AI mock interviews: accounts with a daily quota, interviews, public feed, speech.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
        "config.schema.add_body_rules",
        "config.schema.declare_event_streams",
    ],
}

# --- Product ----------------------------------------------------------------------------------
DAILY_CHAT_LIMIT = env.int("DAILY_CHAT_LIMIT", default=5)
# New interviews are private unless their owner publishes them; a classroom may want the opposite.
INTERVIEWS_PUBLIC_BY_DEFAULT = env.bool("INTERVIEWS_PUBLIC_BY_DEFAULT", default=False)
# The largest CV file accepted (POST /api/cvs/); read in memory, never past this, so it bounds memory too.
CV_MAX_BYTES = env.int("CV_MAX_BYTES", default=5 * 1024 * 1024)

# --- The original Mock-Interviewer frontend (/api/user/, /api/chat/gpt/) ----------------------
# It cannot refresh a token: its token lives until logout or this many days unused.
COMPAT_TOKEN_DAYS = env.int("COMPAT_TOKEN_DAYS", default=30)
# Its interviews' language, unless the topic has Hangul (ko) or reads as English (en).
COMPAT_LANGUAGE = env.str("COMPAT_LANGUAGE", default="ko")
if COMPAT_TOKEN_DAYS < 1 or COMPAT_LANGUAGE not in ("en", "ko"):
    raise ImproperlyConfigured("COMPAT_TOKEN_DAYS must be at least 1 and COMPAT_LANGUAGE one of en, ko.")

# --- Interviewer (LLM) ------------------------------------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
# Empty: openai when OPENAI_API_KEY is set, else the offline practice interviewer.
CHAT_PROVIDER = env.str("CHAT_PROVIDER", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_FALLBACK_MODEL = env.str("OPENAI_FALLBACK_MODEL", default="")
OPENAI_TEMPERATURE = env.float("OPENAI_TEMPERATURE", default=0.7)
OPENAI_MAX_TOKENS = env.int("OPENAI_MAX_TOKENS", default=400)
# Per attempt. Worst case (1 + retries) x timeout, twice with a fallback model: keep it below
# GUNICORN_TIMEOUT (120 s) so a slow LLM gets a clean 504, not a killed worker.
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=20.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=1)
OPENAI_HISTORY_TOKENS = env.int("OPENAI_HISTORY_TOKENS", default=6000)
# Budget for the CV and job description text sent when the model words a personal question.
OPENAI_CV_TOKENS = env.int("OPENAI_CV_TOKENS", default=1500)
# How long one request owns the production of a reply before /retry/ may take over.
CHAT_REPLY_LEASE_SECONDS = env.int("CHAT_REPLY_LEASE_SECONDS", default=150)
# US dollars per 1M tokens, [input, output], by model name prefix (the longest prefix wins), for the
# staff's usage and cost view. JSON, e.g. LLM_PRICES='{"my-model": [0.2, 0.6]}' (replaces the table).
LLM_PRICES = env.json(
    "LLM_PRICES",
    default={
        "gpt-4o-mini": [0.15, 0.60],
        "gpt-4o": [2.50, 10.00],
        "gpt-4.1-nano": [0.10, 0.40],
        "gpt-4.1-mini": [0.40, 1.60],
        "gpt-4.1": [2.00, 8.00],
        "o4-mini": [1.10, 4.40],
        "gpt-3.5-turbo": [0.50, 1.50],
        "practice": [0.0, 0.0],
    },
)

# --- Speech (TTS) ----------------------------------------------------------------------------
# auto: gTTS, falling back to the offline espeak engine; or gtts, openai, espeak.
SPEECH_ENGINE = env.str("SPEECH_ENGINE", default="auto")
SPEECH_GTTS_TIMEOUT = env.float("SPEECH_GTTS_TIMEOUT", default=5.0)
SPEECH_GTTS_TLD = env.str("SPEECH_GTTS_TLD", default="com")
SPEECH_OPENAI_MODEL = env.str("SPEECH_OPENAI_MODEL", default="tts-1")
SPEECH_OPENAI_VOICE = env.str("SPEECH_OPENAI_VOICE", default="alloy")
SPEECH_BREAKER_SECONDS = env.int("SPEECH_BREAKER_SECONDS", default=300)
# How long an audio request waits for a clip that is being synthesized before answering 503.
SPEECH_WAIT_SECONDS = env.float("SPEECH_WAIT_SECONDS", default=30.0)
# A failed clip is tried again on a request made at least this long after the failure.
SPEECH_RETRY_SECONDS = env.int("SPEECH_RETRY_SECONDS", default=10)
SPEECH_LEASE_SECONDS = env.int("SPEECH_LEASE_SECONDS", default=60)
# Background threads that synthesize new replies right after they are stored (0: only on request): in
# each app process with SPEECH_QUEUE=thread, in each `speech_worker` process with SPEECH_QUEUE=redis.
SPEECH_WORKERS = env.int("SPEECH_WORKERS", default=2)
# Where that background synthesis runs: "thread" (inside the app processes) or "redis" (a Dramatiq queue
# on Redis, drained by `python manage.py speech_worker` processes, off the app servers' CPU).
SPEECH_QUEUE = env.str("SPEECH_QUEUE", default="thread")
SPEECH_QUEUE_URL = env.str("SPEECH_QUEUE_URL", default="") or REDIS_URL  # empty: the cache's Redis
# Prefix of the queue's Redis keys: two deployments sharing one Redis keep their queues apart.
SPEECH_QUEUE_NAMESPACE = env.str("SPEECH_QUEUE_NAMESPACE", default="speech")
# Seconds scheduling waits on Redis (after the answer's commit) before giving up: the clip is made on request.
SPEECH_QUEUE_TIMEOUT = env.float("SPEECH_QUEUE_TIMEOUT", default=1.0)
if SPEECH_QUEUE not in ("thread", "redis") or (SPEECH_QUEUE == "redis" and not SPEECH_QUEUE_URL):
    raise ImproperlyConfigured("SPEECH_QUEUE must be thread or redis; redis needs SPEECH_QUEUE_URL or REDIS_URL.")
SPEECH_URL_SECRET = env.str("SPEECH_URL_SECRET", default=SECRET_KEY)
if not DEBUG and SPEECH_URL_SECRET != SECRET_KEY:
    _refuse_weak_secret("SPEECH_URL_SECRET", SPEECH_URL_SECRET)

# --- Speech to text (POST /api/transcriptions/) ---------------------------------------------
# An OpenAI-compatible /audio/transcriptions endpoint: OpenAI, or a local Whisper server. An empty
# STT_MODEL means none (503 stt_unavailable): browsers that recognise speech themselves still dictate.
STT_MODEL = env.str("STT_MODEL", default="")
STT_BASE_URL = env.str("STT_BASE_URL", default="")
STT_API_KEY = env.str("STT_API_KEY", default=OPENAI_API_KEY)
STT_TIMEOUT = env.float("STT_TIMEOUT", default=30.0)

# --- Web app (/) ------------------------------------------------------------------------------
# Where the page served at / finds the API; empty is this same server. A copy hosted elsewhere as
# plain files sets it in static/app/config.js instead.
WEBAPP_API_BASE_URL = env.str("WEBAPP_API_BASE_URL", default="")

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
