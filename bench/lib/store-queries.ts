// Database queries per 1,000 authenticated page views, for each session store, counted in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from 'tessera';
import { buildSite } from '../../site/src/app.ts';
import { createSiteTessera } from '../../site/src/site-tessera.ts';
import { benchPassword, benchUser } from './systems.ts';

export interface StoreQueries {
  store: string;
  queries: number;
  writes: number;
}

/** null when the store needs Redis and none was given. */
export async function queriesPerThousand(store: string, redisUrl?: string): Promise<StoreQueries> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-queries-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, NODE_ENV: 'test', SECRET_KEY: 'queries-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG', LOG_LEVEL: 'silent', SESSION_STORE: store };
  if (redisUrl) env.REDIS_URL = redisUrl;
  const tessera = createSiteTessera(loadConfig(env));
  await tessera.migrate();
  await tessera.ready();
  const app = await buildSite(tessera, { logger: false });
  try {
    const form = await app.inject({ method: 'GET', url: '/accounts/signup' });
    const csrf = form.cookies.find((c) => c.name === 'csrftoken')!.value;
    const token = /name="_csrf" value="([A-Za-z0-9]+)"/.exec(form.body)![1]!;
    const signup = await app.inject({
      method: 'POST',
      url: '/accounts/signup',
      headers: { cookie: `csrftoken=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token, username: benchUser, password1: benchPassword, password2: benchPassword }).toString(),
    });
    const session = signup.cookies.find((c) => c.name === 'sessionid');
    if (!session) throw new Error(`${store}: signup did not log in (${signup.statusCode})`);
    const cookie = `sessionid=${session.value}; hide_notice=1`;
    const warm = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
    if (!warm.body.includes(benchUser)) throw new Error(`${store}: the page does not show the user`);
    // Writes are counted apart: an authenticated view should cost no write at all.
    const before = tessera.db.stats.queries;
    const beforeWrites = tessera.db.stats.writes;
    for (let i = 0; i < 1000; i += 1) {
      const response = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
      if (response.statusCode !== 200) throw new Error(`${store}: view ${i} answered ${response.statusCode}`);
    }
    const writes = tessera.db.stats.writes - beforeWrites;
    return { store: redisUrl && store === 'cached-db' ? 'cached-db (Redis)' : store === 'cached-db' ? 'cached-db (in-process)' : store, queries: tessera.db.stats.queries - before, writes };
  } finally {
    await app.close();
    await tessera.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
