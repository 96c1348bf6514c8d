// Checks the throwaway PostgreSQL harness: it serves real queries and leaves nothing running.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

import { startPostgres } from './postgres.ts';
import { skipOrFail } from './requirements.ts';

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

test('starts a real PostgreSQL, serves queries, and stops cleanly', { timeout: 90_000 }, async (t) => {
  const server = await startPostgres();
  if (!server) {
    skipOrFail(t, 'PostgreSQL binaries not installed');
    return;
  }
  const url = new URL(server.url);
  const port = Number(url.port);
  assert.equal(url.protocol, 'postgres:');
  assert.equal(url.hostname, '127.0.0.1');
  assert.equal(url.username, 'tessera');
  assert.equal(url.pathname, '/tessera_test');
  assert.ok(port > 0);

  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const one = await client.query<{ one: number }>('select 1 as one');
      assert.equal(one.rows[0]?.one, 1);

      const db = await client.query<{ db: string }>('select current_database() as db');
      assert.equal(db.rows[0]?.db, 'tessera_test');

      await client.query('create table harness_check (id serial primary key, name text not null)');
      await client.query('insert into harness_check (name) values ($1), ($2)', ['a', 'b']);
      const count = await client.query<{ n: string }>('select count(*) as n from harness_check');
      assert.equal(count.rows[0]?.n, '2');
    } finally {
      await client.end();
    }
    assert.equal(await portIsOpen(port), true);
  } finally {
    await server.stop();
  }

  assert.equal(await portIsOpen(port), false, 'server still listening after stop()');
  // A second stop is harmless: callers put it in both finally blocks and after hooks.
  await server.stop();
});

test('two servers run side by side on different ports', { timeout: 90_000 }, async (t) => {
  const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
  try {
    if (!a || !b) {
      skipOrFail(t, 'PostgreSQL binaries not installed');
      return;
    }
    assert.notEqual(new URL(a.url).port, new URL(b.url).port);
  } finally {
    await Promise.all([a?.stop(), b?.stop()]);
  }
});

test('a process that exits without stop() leaves no server or files behind', { timeout: 90_000 }, async (t) => {
  // The child finds its own data directory by the port in postmaster.pid, since other suites may
  // have servers of their own in the same temp dir.
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    import { startPostgres } from './test/support/postgres.ts';
    const server = await startPostgres();
    if (!server) { console.log('none'); process.exit(0); }
    const port = new URL(server.url).port;
    const dir = readdirSync(tmpdir())
      .filter((name) => name.startsWith('tessera-pg-'))
      .map((name) => join(tmpdir(), name))
      .find((path) => {
        try { return readFileSync(join(path, 'data', 'postmaster.pid'), 'utf8').split('\\n')[3] === port; }
        catch { return false; }
      });
    console.log(JSON.stringify({ url: server.url, dir }));
    process.exit(0);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
  if (out.trim() === 'none') {
    skipOrFail(t, 'PostgreSQL binaries not installed');
    return;
  }
  const { url, dir } = JSON.parse(out) as { url: string; dir?: string };
  assert.ok(dir, 'child could not find its data directory');
  assert.equal(await portIsOpen(Number(new URL(url).port)), false, 'server outlived its process');
  assert.equal(existsSync(dir), false, 'temp dir outlived its process');
});
