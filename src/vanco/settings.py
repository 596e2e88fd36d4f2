"""Vanco settings: one file, every value from the environment (see .env.example)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from vanco.core.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    load_or_create_secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("VANCO_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = load_or_create_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "auditlog",
    "axes",
    "ninja",
    "django_tasks_db",
    "vanco.core",
    "vanco.accounts",
    "vanco.org",
    "vanco.industries",
    "vanco.enterprises",
    "vanco.projects",
    "vanco.notifications",
    "vanco.obstacles",
    "vanco.meetings",
    "vanco.targets",
    "vanco.dashboard",
    "vanco.reports",
]

MIDDLEWARE = [
    "vanco.core.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vanco.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vanco.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

# `vanco bench` reads each response's server time and SQL query count from a header.
VANCO_SERVER_TIMING = env_bool("VANCO_SERVER_TIMING", False)

ROOT_URLCONF = "vanco.urls"
WSGI_APPLICATION = "vanco.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanco.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "vanco.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (busy timeout)
        # instead of failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
        ),
    }
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and login ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Security -------------------------------------------------------------------------------
HTTPS = env_bool("VANCO_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("VANCO_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # ECharts and htmx set element styles at run time; no script is ever inline.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
LANGUAGE_COOKIE_NAME = "vanco_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
FORMAT_MODULE_PATH = ["vanco.formats"]
LANGUAGE_COOKIE_HTTPONLY = True

# --- Money ----------------------------------------------------------------------------------
VANCO_CURRENCY = env_str("VANCO_CURRENCY", "VND")
VANCO_MONEY_UNIT = env_choice("VANCO_MONEY_UNIT", "ty_dong", {"ty_dong", "trieu_dong", "wan_yuan"})

# Projects at or above this planned investment (in the money unit) are "major" by themselves.
VANCO_MAJOR_PROJECT_THRESHOLD = env_int("VANCO_MAJOR_PROJECT_THRESHOLD", 1000, minimum=0)

VANCO_ATTACHMENT_MAX_MB = env_int("VANCO_ATTACHMENT_MAX_MB", 20, minimum=1)
# Excel imports with more rows than this run in the background with a progress bar.
VANCO_IMPORT_INLINE_ROWS = env_int("VANCO_IMPORT_INLINE_ROWS", 2000, minimum=0)

# --- Obstacles ------------------------------------------------------------------------------
# An overdue obstacle goes to the department head the day after its due date, then one level
# higher (leader in charge, leading group) every this many days.
VANCO_ESCALATION_STEP_DAYS = env_int("VANCO_ESCALATION_STEP_DAYS", 7, minimum=1)
# Departments are reminded this many days before an obstacle's due date.
VANCO_OBSTACLE_DUE_SOON_DAYS = env_int("VANCO_OBSTACLE_DUE_SOON_DAYS", 3, minimum=1)
# The address of this Vanco as users reach it, for links in e-mails (e.g. https://vanco.gov.vn).
VANCO_BASE_URL = env_str("VANCO_BASE_URL", "http://127.0.0.1:8000")

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start otherwise
MEDIA_ROOT = DATA_DIR / "media"
REPORTS_ROOT = DATA_DIR / "reports"
# Cached figures (dashboard, actuals, metrics) shared by every server process of the machine:
# a file cache needs no extra service on an offline intranet. Keys carry the data version, so
# nothing stale is ever read.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_path("VANCO_CACHE_DIR", DATA_DIR / "cache"),
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": env_int("VANCO_CACHE_MAX_ENTRIES", 5000, minimum=100)},
    }
}
# Folders holding Noto Sans and Noto Sans CJK SC for the PDF bulletins (colon-separated); empty
# means Debian's fonts-noto-core and fonts-noto-cjk folders. Without a CJK font no PDF is made.
VANCO_PDF_FONT_DIRS = [d for d in env_str("VANCO_PDF_FONT_DIRS", "").split(":") if d.strip()]
# The languages of the bulletins made automatically when a dispatch period closes.
VANCO_BULLETIN_LANGUAGES = env_list("VANCO_BULLETIN_LANGUAGES", ["vi", "zh-hans"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("VANCO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Mail -----------------------------------------------------------------------------------
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            }
            if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "vanco@localhost")

# --- Audit ----------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True

# --- Lists and API --------------------------------------------------------------------------
VANCO_PAGE_SIZE = env_int("VANCO_PAGE_SIZE", 25, minimum=5)
VANCO_MAX_PAGE_SIZE = env_int("VANCO_MAX_PAGE_SIZE", 200, minimum=10)
NINJA_PAGINATION_PER_PAGE = VANCO_PAGE_SIZE
NINJA_PAGINATION_MAX_LIMIT = VANCO_MAX_PAGE_SIZE

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "vanco": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "vanco.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "vanco.scheduler": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}
