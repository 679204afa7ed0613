"""Every setting Warm Bee has, read from the environment with safe local defaults.

Production switches only what the environment must (see docs/deployment.md).
"""

from pathlib import Path

import dj_database_url
import django_stubs_ext
import xstatic.pkg.leaflet as xstatic_leaflet  # type: ignore[import-untyped,unused-ignore]  # no type hints
from django.utils.translation import gettext_lazy as _

from config.env import (
    BASE_DIR,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_set_default,
    env_str,
)

# Lets admin and other generic classes be subscripted at run time, as the type stubs do.
django_stubs_ext.monkeypatch()

DEBUG = env_bool("DEBUG", False)
# The "django-insecure-" prefix makes `check --deploy` flag a production run without a key.
SECRET_KEY = env_str(
    "SECRET_KEY", "django-insecure-local-development-key-change-me-0123456789"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
DATA_DIR = Path(env_str("WARMBEE_DATA_DIR", str(BASE_DIR / "var")))
# numba caches compiled code next to the module or in ~/.cache; a read-only deployment
# has neither, and numba then refuses to import. The data folder is always writable.
env_set_default("NUMBA_CACHE_DIR", str(DATA_DIR / "numba-cache"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "import_export",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "warmbee.core",
    "warmbee.regions",
    "warmbee.accounts",
    "warmbee.stations",
    "warmbee.visits",
    "warmbee.workers",
    "warmbee.coverage",
    "warmbee.reports",
    "warmbee.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "warmbee.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "warmbee.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'warmbee.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work side by side. Reading the file through
    # memory-mapped pages (up to 256 MiB) shares the OS page cache between connections,
    # which are not kept between requests: the finder reads scattered station rows.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate-limit counters (API throttling) live in the cache: with several app servers or
# gunicorn workers, point REDIS_URL at a shared Redis so the limits hold across them.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "stations:home"
LOGOUT_REDIRECT_URL = "stations:home"

# Login attempts: five failures per phone number and address lock for 15 minutes.
AXES_FAILURE_LIMIT = int(env_float("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# Attempts are recorded under the keyed hash of the number, never the number itself.
AXES_USERNAME_CALLABLE = "warmbee.accounts.selectors.login_attempt_key"
# Behind nginx, count attempts per client address, not per proxy: set the number of
# trusted proxies in front of the app (nginx sets X-Forwarded-For).
AXES_IPWARE_PROXY_COUNT = int(env_float("TRUSTED_PROXY_COUNT", 0)) or None
# The API's throttles identify clients the same way (0: REMOTE_ADDR only).
NINJA_NUM_PROXIES = AXES_IPWARE_PROXY_COUNT or 0
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    if AXES_IPWARE_PROXY_COUNT
    else ("REMOTE_ADDR",)
)
AXES_LOCKOUT_CALLABLE = "warmbee.accounts.views.locked_out"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Files only views that check who asks may send (report photos): no URL, outside
# MEDIA_ROOT, so nginx's /media/ never serves them (warmbee.core.storage).
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
# Leaflet comes pinned from PyPI (XStatic-Leaflet) and is served as static/leaflet/.
STATICFILES_DIRS = [("leaflet", xstatic_leaflet.BASE_DIR)]

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = int(env_float("SECURE_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sensitive fields (phone, ID number, health values) are encrypted with these Fernet keys:
# the first encrypts, all decrypt (rotation: put a new key first, then
# `manage.py rotate_field_keys`). FIELD_HASH_KEY keys the lookup hashes. The defaults are
# for local development only; production must set both (docs/deployment.md).
FIELD_ENCRYPTION_KEYS = env_list(
    "FIELD_ENCRYPTION_KEYS", ["ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtMDA="]
)
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY", "dev-only-hash-key-do-not-use")

# One-time codes go out through this SMS backend (like Django's e-mail backends). The
# console backend prints them; a real provider is a subclass set here in production.
SMS_BACKEND = env_str("SMS_BACKEND", "warmbee.accounts.sms.ConsoleSmsBackend")

# Map tiles: any XYZ tile server; pages work (list first) when tiles cannot load.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            *env_list("MAP_TILE_HOSTS", ["tile.openstreetmap.org"]),
        ],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Finder: until a road network is loaded, travel time is the straight-line distance
# times this detour factor over the mode's speed.
FINDER_DETOUR_FACTOR = env_float("FINDER_DETOUR_FACTOR", 1.3)
FINDER_WALK_SPEED_KMH = env_float("FINDER_WALK_SPEED_KMH", 4.5)
FINDER_EBIKE_SPEED_KMH = env_float("FINDER_EBIKE_SPEED_KMH", 15.0)
FINDER_BUSY_WINDOW_MIN = 30

# Check-ins queued on a phone without signal are accepted this long afterwards.
VISIT_MAX_DELAY_HOURS = int(env_float("VISIT_MAX_DELAY_HOURS", 72))

# Check-in origins (a demand layer for planning), under the separate location consent.
# The location notice states these figures: changing one needs a new notice version.
CHECKIN_ORIGIN_H3_RESOLUTION = 8  # cells of about 0.74 km²
CHECKIN_ORIGIN_MAX_AGE_MIN = 60  # finder search to check-in
CHECKIN_ORIGIN_MAX_DISTANCE_KM = (
    30  # farther from the station: not where they came from
)
CHECKIN_ORIGIN_RETENTION_MONTHS = 12
CHECKIN_ORIGIN_MIN_INTERVAL_MIN = 30  # at most one origin per worker this often

# Hazard and public-opinion reports.
REPORT_MAX_STATION_DISTANCE_KM = (
    20  # farther from every station: no county here takes it
)
REPORT_LIMIT_PER_HOUR = env_int("REPORT_LIMIT_PER_HOUR", 5)  # per reporter
REPORT_FEEDBACK_DAYS = 14  # the reporter may say "not satisfied" this long after
REPORT_LAYER_MONTHS = 12  # the planner's hazard layer reads reports this recent

# Worker files with no activity (log-in, visit, consent change) for this long are
# anonymised by `manage.py purge_inactive_workers --apply` (dry run without --apply).
WORKER_RETENTION_DAYS = env_int("WORKER_RETENTION_DAYS", 730)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Background tasks (coverage runs, later reminders and reports) wait in a queue in the
# database; `manage.py db_worker` runs them (`make run` starts one). Another backend
# (e.g. one on Redis) can be set here without changing the code that enqueues.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Road networks imported from OpenStreetMap extracts are kept as .npz files here.
NETWORK_DIR = Path(env_str("WARMBEE_NETWORK_DIR", str(DATA_DIR / "networks")))
# Largest .osm.pbf extract a planner may upload on the network page (megabytes);
# larger ones go through `manage.py import_roads`.
NETWORK_UPLOAD_MAX_MB = env_int("NETWORK_UPLOAD_MAX_MB", 300)
# Coverage runs: exact siting stops at this time limit and reports its bound and gap.
COVERAGE_SOLVER_TIME_LIMIT_S = env_float("COVERAGE_SOLVER_TIME_LIMIT_S", 30.0)
# A run still "running" this long after it started lost its worker (killed, machine
# rebooted) and `manage.py coverage_housekeeping` marks it failed. A whole county's run
# takes about 30 s (docs/coverage.md): one time-limited exact solve, an LP bound without
# a limit, loading and compiling. Three solver limits plus ten minutes (690 s) leaves a
# slow machine room; a run failed too early still gets its result if the worker was alive.
COVERAGE_RUN_STALL_AFTER_S = env_int(
    "COVERAGE_RUN_STALL_AFTER_S", int(3 * COVERAGE_SOLVER_TIME_LIMIT_S) + 600
)
# `manage.py coverage_housekeeping` removes the file of a network that is not in use and
# that no run of the last this many days used. No page reads a finished run's network
# (run pages, exports and what-ifs use the stored result and the active network), so
# this only keeps recent networks to go back to or to re-run; a quarter, at a few MB each.
COVERAGE_NETWORK_KEEP_DAYS = env_int("COVERAGE_NETWORK_KEEP_DAYS", 90)

# The public address printed on QR posters (what a phone opens after scanning).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
