// Starts a throwaway PostgreSQL server from the installed binaries, so tests hit a real database.
import { execFile, spawnSync } from 'node:child_process';
import { constants, readFileSync, rmSync } from 'node:fs';
import { access, appendFile, chown, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  url: string;
  /** stops the server but keeps its data, to test what an application does while it is gone */
  pause(): Promise<void>;
  /** starts it again, on the same port with the same data */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'tessera';
const DATABASE = 'tessera_test';
const READY_TIMEOUT_MS = 20_000;
const READY_ATTEMPTS = 100;
const START_ATTEMPTS = 3;

interface BinDir {
  initdb: string;
  pgCtl: string;
}

/** How to run a binary: directly, or through runuser when we are root (postgres refuses root). */
interface Runner {
  user: string | null;
  uid: number;
  gid: number;
}

/** A server that is (or may be) running and whose data must go when the process ends. */
interface Live {
  dir: string;
  dataDir: string;
  pgCtl: string;
  runner: Runner;
}

const live = new Set<Live>();

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function binariesIn(dir: string): Promise<BinDir | null> {
  const initdb = join(dir, 'initdb');
  const pgCtl = join(dir, 'pg_ctl');
  const postgres = join(dir, 'postgres');
  const all = await Promise.all([initdb, pgCtl, postgres].map(isExecutable));
  return all.every(Boolean) ? { initdb, pgCtl } : null;
}

/** Debian/Ubuntu keep server binaries off PATH, under /usr/lib/postgresql/<version>/bin. */
async function findBinaries(): Promise<BinDir | null> {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = await readdir(root);
  } catch {
    // No Debian layout; PATH may still have them.
  }
  versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  for (const version of versions) {
    const found = await binariesIn(join(root, version, 'bin'));
    if (found) return found;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const found = await binariesIn(dir);
    if (found) return found;
  }
  return null;
}

function run(
  file: string,
  args: string[],
  cwd: string,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${stdout}${stderr}${error ? `\n${error.message}` : ''}` });
    });
  });
}

function command(runner: Runner, bin: string, args: string[]): [string, string[]] {
  return runner.user === null ? [bin, args] : ['runuser', ['-u', runner.user, '--', bin, ...args]];
}

async function makeRunner(): Promise<Runner> {
  const uid = process.getuid?.();
  if (uid !== 0) return { user: null, uid: uid ?? -1, gid: process.getgid?.() ?? -1 };
  for (const user of ['postgres', 'nobody']) {
    const id = spawnSync('id', [user], { encoding: 'utf8' });
    const uidMatch = /uid=(\d+)/.exec(id.stdout ?? '');
    const gidMatch = /gid=(\d+)/.exec(id.stdout ?? '');
    if (id.status === 0 && uidMatch?.[1] && gidMatch?.[1]) {
      return { user, uid: Number(uidMatch[1]), gid: Number(gidMatch[1]) };
    }
  }
  throw new Error('running as root, but neither a "postgres" nor a "nobody" user exists to run PostgreSQL as');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

function quoteConf(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function readLog(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').slice(-30).join('\n');
  } catch {
    return '(no server log)';
  }
}

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Synchronous so it can run from an 'exit' handler: immediate shutdown through pg_ctl, then
 * SIGKILL to the postmaster if it is somehow still there, then the files.
 */
function destroySync(server: Live): void {
  live.delete(server);
  const pid = postmasterPid(server.dataDir);
  if (pid !== null) {
    const [file, args] = command(server.runner, server.pgCtl, ['stop', '-D', server.dataDir, '-m', 'immediate', '-w', '-t', '10']);
    spawnSync(file, args, { cwd: server.dir, stdio: 'ignore', timeout: 15_000 });
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  rmSync(server.dir, { recursive: true, force: true });
  if (live.size === 0) uninstallHandlers();
}

async function destroy(server: Live): Promise<void> {
  if (!live.has(server)) return;
  live.delete(server);
  const pid = postmasterPid(server.dataDir);
  if (pid !== null) {
    const [file, args] = command(server.runner, server.pgCtl, ['stop', '-D', server.dataDir, '-m', 'immediate', '-w', '-t', '10']);
    await run(file, args, server.dir);
    // The listening socket closes only once the postmaster has exited; wait for it so callers
    // (and the next test) see the port free.
    const deadline = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  await rm(server.dir, { recursive: true, force: true });
  if (live.size === 0) uninstallHandlers();
}

function cleanupAll(): void {
  for (const server of [...live]) {
    try {
      destroySync(server);
    } catch {
      // Best effort while the process is going down.
    }
  }
}

// pg_ctl puts the postmaster in its own session, so Ctrl-C or the test runner's SIGTERM would
// not reach it: clean up, then let the signal do what it would have done.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
function onSignal(signal: NodeJS.Signals): void {
  cleanupAll();
  uninstallHandlers();
  process.kill(process.pid, signal);
}
let installed = false;

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstallHandlers(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', cleanupAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

async function waitUntilReady(port: number, isUp: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < READY_ATTEMPTS && Date.now() < deadline; attempt++) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: SUPERUSER,
      database: 'postgres',
      connectionTimeoutMillis: 1_000,
    });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await client.end().catch(() => {});
    }
    if (!isUp()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`PostgreSQL did not accept connections on port ${port}: ${String(lastError)}`);
}

/** null when no PostgreSQL binaries are installed */
export async function startPostgres(): Promise<PostgresServer | null> {
  const bins = await findBinaries();
  if (!bins) return null;
  const runner = await makeRunner();

  const dir = await mkdtemp(join(tmpdir(), 'tessera-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const logFile = join(dir, 'server.log');
  const server: Live = { dir, dataDir, pgCtl: bins.pgCtl, runner };
  live.add(server);
  installHandlers();

  try {
    await mkdir(socketDir);
    if (runner.user !== null) {
      await chown(dir, runner.uid, runner.gid);
      await chown(socketDir, runner.uid, runner.gid);
    }

    const [initFile, initArgs] = command(runner, bins.initdb, [
      '-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync',
    ]);
    const init = await run(initFile, initArgs, dir);
    if (!init.ok) throw new Error(`initdb failed:\n${init.output}`);

    // Settings go in the config file rather than `pg_ctl -o`, which goes through a shell.
    // Durability is worthless for a database that is deleted after the run.
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = ${quoteConf(socketDir)}`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        "shared_buffers = '16MB'",
        'max_connections = 50',
        'max_wal_senders = 0',
        "wal_level = 'minimal'",
        '',
      ].join('\n'),
    );

    // Another process may take the port between our probe and the server's bind; try again.
    let port = 0;
    let started = false;
    let failure = '';
    for (let attempt = 0; attempt < START_ATTEMPTS && !started; attempt++) {
      port = await freePort();
      const [ctlFile, ctlArgs] = command(runner, bins.pgCtl, [
        'start', '-D', dataDir, '-l', logFile, '-o', `-p ${port}`, '-w', '-t', String(READY_TIMEOUT_MS / 1000),
      ]);
      const result = await run(ctlFile, ctlArgs, dir);
      if (result.ok) {
        started = true;
      } else {
        failure = `${result.output}\n${await readLog(logFile)}`;
        if (!/could not bind|address already in use/i.test(failure)) break;
      }
    }
    if (!started) throw new Error(`PostgreSQL did not start:\n${failure}`);

    await waitUntilReady(port, () => {
      const pid = postmasterPid(dataDir);
      return pid !== null && isAlive(pid);
    });

    const admin = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`create database ${DATABASE}`);
    } finally {
      await admin.end();
    }

    const isUp = () => {
      const pid = postmasterPid(dataDir);
      return pid !== null && isAlive(pid);
    };
    return {
      url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${DATABASE}`,
      pause: async () => {
        const [file, args] = command(runner, bins.pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '20']);
        const result = await run(file, args, dir);
        if (!result.ok) throw new Error(`pg_ctl stop failed:\n${result.output}`);
      },
      resume: async () => {
        const [file, args] = command(runner, bins.pgCtl, [
          'start', '-D', dataDir, '-l', logFile, '-o', `-p ${port}`, '-w', '-t', String(READY_TIMEOUT_MS / 1000),
        ]);
        const result = await run(file, args, dir);
        if (!result.ok) throw new Error(`pg_ctl start failed:\n${result.output}\n${await readLog(logFile)}`);
        await waitUntilReady(port, isUp);
      },
      stop: () => destroy(server),
    };
  } catch (error) {
    const log = await readLog(logFile);
    await destroy(server);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- server log ---\n${log}`, {
      cause: error,
    });
  }
}
