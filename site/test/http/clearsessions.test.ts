// The clearsessions command: expired sessions go, and so do login-failure and sign-up counters
// whose window is over; counters still counting stay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli, startSite, type RunningSite } from '../../../test/support/site.ts';
import { openDatabase } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

test('clearsessions deletes the counters whose window is over and keeps the others', async () => {
  const now = Date.now();
  const db = openDatabase(site.dataDir);
  const insert = db.prepare('insert into login_failures (key, count, window_start) values (?, ?, ?)');
  insert.run('account:old-spray', 5, now - 2 * 3_600_000);
  insert.run('signup:old-network', 20, now - 2 * 3_600_000);
  insert.run('signup:this-hour', 20, now - 30 * 60_000);
  insert.run('address:this-quarter', 3, now - 60_000);
  db.close();
  const result = await runCli(['clearsessions'], { DATA_DIR: site.dataDir, NODE_ENV: 'test' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /deleted \d+ expired sessions and 2 finished login-failure and sign-up counters/);
  const check = openDatabase(site.dataDir);
  const left = (check.prepare('select key from login_failures order by key').all() as { key: string }[]).map((row) => row.key);
  check.close();
  assert.deepEqual(left.filter((key) => !key.startsWith('login')), ['address:this-quarter', 'signup:this-hour'], 'a sign-up window still open is kept, or the limit would reset early');
});
