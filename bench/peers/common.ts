// What every Node peer shares: its settings from the environment, node:cluster supervision,
// the SQLite pragmas, form parsing, and what they answer with (the pages themselves are in pages.ts).
import cluster from 'node:cluster';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';

export interface PeerSettings {
  port: number;
  host: string;
  /** the folder holding the peer's SQLite file; a fresh temporary one when DATA_DIR is unset */
  dataDir: string;
  workers: number;
}

let madeDataDir: string | undefined;

export function settings(): PeerSettings {
  const workers = Number(process.env.WORKERS ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error(`WORKERS must be 1..16, not ${process.env.WORKERS}`);
  let dataDir = process.env.DATA_DIR;
  if (!dataDir) {
    dataDir = madeDataDir ??= mkdtempSync(join(tmpdir(), 'tessera-peer-'));
    // Workers inherit the primary's folder.
    process.env.DATA_DIR = dataDir;
  }
  return { port: Number(process.env.PORT ?? 3100), host: process.env.HOST ?? '127.0.0.1', dataDir, workers };
}

/**
 * Runs `setup` once (in the primary), then `serve` in this process, or in WORKERS node:cluster
 * workers sharing the port. SIGTERM/SIGINT stop everything; a temporary DATA_DIR is removed.
 */
export async function runPeer(setup: (s: PeerSettings) => Promise<void> | void, serve: (s: PeerSettings) => Promise<() => Promise<void>>): Promise<void> {
  const s = settings();
  const cleanup = () => {
    if (madeDataDir) rmSync(madeDataDir, { recursive: true, force: true });
  };
  if (cluster.isPrimary) await setup(s);
  if (cluster.isPrimary && s.workers > 1) {
    let stopping = false;
    let failed = false;
    for (let i = 0; i < s.workers; i += 1) cluster.fork();
    cluster.on('exit', (worker, code, signal) => {
      if (!stopping) {
        // A benchmark must not hide a crash behind a restart: one worker down stops the peer.
        console.error(`peer worker ${worker.process.pid} exited (${signal ?? code}); stopping`);
        stopping = true;
        failed = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        cleanup();
        process.exit(failed ? 1 : 0);
      }
    });
    const stop = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  const close = await serve(s);
  const stop = async () => {
    await close();
    if (cluster.isPrimary) cleanup();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

/** The same pragmas tessera's SQLite store uses, so no peer is slowed by a worse journal mode. */
export function tuneSqlite(db: Database): Database {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Reads an application/x-www-form-urlencoded body (at most 64 KiB). */
export async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 65536) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A peer's user on the benchmark's pages: the username is its login; the email is derived from it. */
export const emailOf = (username: string): string => `${username}@bench.example`;

export const htmlType = 'text/html; charset=utf-8';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The installed versions of the named packages, and Node's: for GET /bench/versions. */
export function packageVersions(names: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = { node: process.version };
  for (const name of names) {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    versions[name] = manifest.version;
  }
  return versions;
}
