from django.apps import AppConfig
from django.db.backends.signals import connection_created


def tune_sqlite(sender, connection, **kwargs):
    """The same pragmas as tessera's SQLite store, so no peer is slowed by a worse journal mode."""
    if connection.vendor == 'sqlite':
        with connection.cursor() as cursor:
            cursor.execute('PRAGMA journal_mode = WAL')
            cursor.execute('PRAGMA synchronous = NORMAL')


class BenchSiteConfig(AppConfig):
    name = 'benchsite'

    def ready(self):
        connection_created.connect(tune_sqlite)
