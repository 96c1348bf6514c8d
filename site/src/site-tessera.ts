// tessera as the reference site configures it: with the site's own migrations.
import { type Config, createTessera, type Tessera, type TesseraOptions } from 'tessera';
import { siteMigrations } from './migrations/site-0001-articles.ts';

export function createSiteTessera(config: Config, options: Omit<TesseraOptions<Record<string, unknown>>, 'migrations'> = {}): Tessera {
  return createTessera(config, { ...options, migrations: siteMigrations });
}
