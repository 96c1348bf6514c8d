// tessera as the reference site configures it: with the site's own migrations.
import type { Config } from '../core/config.ts';
import { createTessera, type Tessera, type TesseraOptions } from '../core/tessera.ts';
import { siteMigrations } from './migrations/site-0001-articles.ts';

export function createSiteTessera(config: Config, options: Omit<TesseraOptions<Record<string, unknown>>, 'migrations'> = {}): Tessera {
  return createTessera(config, { ...options, migrations: siteMigrations });
}
