// tessera import-django: a Django site's users, groups and permissions, passwords included, into the app's database.
import { DjangoDatabase } from '../../core/django-import/django-database.ts';
import { importDjango } from '../../core/django-import/django-import.ts';
import { summaryLines } from '../../core/django-import/import-summary.ts';
import { TesseraError } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import { redactedUrl } from '../database-errors.ts';
import { progressBar } from '../progress-bar.ts';

export const importDjangoCommand: Command = {
  name: 'import-django',
  summary: "copy a Django site's users, groups and permissions (passwords included) from its database",
  positionals: ['SOURCE'],
  options: {
    'dry-run': { type: 'boolean', description: 'say what would be imported, and write nothing' },
  },
  async run({ module: { tessera }, options, positionals, out }) {
    const [source = ''] = positionals;
    const dryRun = options['dry-run'] === true;
    let django: DjangoDatabase;
    try {
      django = await DjangoDatabase.open(source);
    } catch (error) {
      // Said here, or the command line would take a connection error for DATABASE_URL's.
      if (!(error instanceof TesseraError)) throw error;
      console.error(`tessera import-django: ${error.message}`);
      return 1;
    }
    out(`${dryRun ? 'dry run: reading' : 'importing'} the users of ${django.shown} (Django, ${django.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}) into ${redactedUrl(tessera.config.databaseUrl)}`);
    const bar = progressBar(dryRun ? 'reading' : 'importing');
    let lines: string[];
    try {
      lines = summaryLines(await importDjango({ source: django, target: tessera.db, passwords: tessera.passwords, dryRun, onProgress: (done, total) => bar.update(done, total) }));
    } catch (error) {
      // The Django database's failures are TesseraErrors naming it; tessera's own are not.
      if (!(error instanceof TesseraError)) throw error;
      console.error(`tessera import-django: ${error.message}`);
      return 1;
    } finally {
      bar.finish();
      await django.close();
    }
    for (const line of lines) out(line);
    return 0;
  },
};
