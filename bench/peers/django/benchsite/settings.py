"""The bench peer: Django's startproject defaults, minus admin and static files, on SQLite.

DATA_DIR holds the database; BENCH_PAGES names the JSON file of the benchmark's pages (written by
bench/peers/django.ts from bench/peers/pages.ts): their literal parts around the user's values, so
the pages are exactly what every other peer sends, put together with str.join and escape() (the
cheapest renderer there is, like the Node peers' template literals) and not Django's template engine.
"""
import os
from pathlib import Path

DATA_DIR = Path(os.environ.get('DATA_DIR', '.'))
PAGES = Path(os.environ.get('BENCH_PAGES', DATA_DIR / 'pages.json'))
LOGIN_URL = '/accounts/login'

SECRET_KEY = 'bench-django-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz'
DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']

INSTALLED_APPS = [
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'benchsite.apps.BenchSiteConfig',
]

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]

ROOT_URLCONF = 'benchsite.urls'
WSGI_APPLICATION = 'benchsite.wsgi.application'

TEMPLATES = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'DIRS': [],
        'APP_DIRS': True,  # with DEBUG off, Django 3.2 wraps the loaders in the cached loader
        'OPTIONS': {
            'context_processors': [
                'django.template.context_processors.request',
                'django.contrib.auth.context_processors.auth',
                'django.contrib.messages.context_processors.messages',
            ],
        },
    },
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': str(DATA_DIR / 'django.sqlite3'),
        'OPTIONS': {'timeout': 5},
    }
}

# Sessions in the database (contrib.sessions' db backend), PBKDF2 first: both Django's defaults.
SESSION_ENGINE = 'django.contrib.sessions.backends.db'
PASSWORD_HASHERS = [
    'django.contrib.auth.hashers.PBKDF2PasswordHasher',
    'django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher',
    'django.contrib.auth.hashers.Argon2PasswordHasher',
    'django.contrib.auth.hashers.BCryptSHA256PasswordHasher',
]

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
USE_I18N = True
USE_L10N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'

LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'handlers': {'console': {'class': 'logging.StreamHandler'}},
    'root': {'handlers': ['console'], 'level': 'WARNING'},
}
