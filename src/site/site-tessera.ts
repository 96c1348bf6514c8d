// tessera as the reference site configures it: with the site's own migrations.
import type { Config } from '../core/config.ts';
import { createTessera, type Tessera } from '../core/tessera.ts';
import { siteMigrations } from './migrations/1000-articles.ts';

export function createSiteTessera(config: Config): Tessera {
  return createTessera(config, { migrations: siteMigrations });
}
