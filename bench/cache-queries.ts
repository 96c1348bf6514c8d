// Database queries per 1,000 anonymous views of the article list, without and with the cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NullCache, loadConfig, type Cache } from 'tessera';
import { buildSite } from '../site/src/app.ts';
import { createSiteTessera } from '../site/src/site-tessera.ts';

export async function queriesPerThousandViews(cache: Cache | undefined): Promise<{ list: number; home: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cache-bench-'));
  const tessera = createSiteTessera(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' }), cache ? { cache } : {});
  await tessera.migrate();
  const app = await buildSite(tessera, { logger: false });
  try {
    const author = await tessera.users.create({ username: 'writer', password: '!' });
    if (author === 'username_taken') throw new Error('unexpected');
    const kysely = tessera.db.kysely as any;
    const now = Date.now();
    await kysely.insertInto('articles').values(Array.from({ length: 30 }, (_, i) => ({ author_id: author.id, title: `Article ${i}`, content: 'text', created_at: now + i, updated_at: now + i }))).execute();
    const result: { list: number; home: number } = { list: 0, home: 0 };
    for (const [name, url] of [['list', '/articles?page=2'], ['home', '/']] as const) {
      await app.inject({ method: 'GET', url });
      const before = tessera.db.stats.queries;
      for (let i = 0; i < 1000; i += 1) {
        const response = await app.inject({ method: 'GET', url });
        if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
      }
      result[name] = tessera.db.stats.queries - before;
    }
    return result;
  } finally {
    await app.close();
    await tessera.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const without = await queriesPerThousandViews(new NullCache());
  const withCache = await queriesPerThousandViews(undefined);
  console.log(`queries per 1,000 anonymous views: /articles?page=2 ${without.list} → ${withCache.list}; / ${without.home} → ${withCache.home}`);
}
