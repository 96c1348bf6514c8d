// Starts a throwaway Redis server from the installed binary on a free loopback port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort } from './site.ts';

export interface RedisServer {
  url: string;
  /** Stops the server for good and removes its data folder. */
  stop(): Promise<void>;
  /**
   * Stops the server (SIGTERM) but keeps its data folder: with `persistent`, a `restart` comes
   * back holding every key it had, as a production Redis with an append-only file does.
   */
  shutDown(): Promise<void>;
  /** Starts the server again on the same port and data folder, and waits until it answers. */
  restart(): Promise<void>;
}

export interface RedisOptions {
  /**
   * Keep the keys across a restart (an append-only file, written on every command). Without it a
   * restarted server is empty, which hides any invalidation a client missed while it was down.
   */
  persistent?: boolean;
}

function redisBinary(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : null;
}

/** Resolves once a server answers PING at `url`, or after about ten seconds. */
async function waitForAnswer(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; attempt < 100 && Date.now() < deadline; attempt += 1) {
    const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      await client.quit();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** null when redis-server is not installed */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer | null> {
  const binary = redisBinary();
  if (binary === null) return null;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-redis-'));
  const port = await freePort();
  const persistence = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir];
  const url = `redis://127.0.0.1:${port}`;
  let child = spawn(binary, args, { stdio: 'ignore' });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  await waitForAnswer(url);
  return {
    url,
    stop: async () => {
      await terminate(child);
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
    shutDown: () => terminate(child),
    restart: async () => {
      await terminate(child);
      child = spawn(binary, args, { stdio: 'ignore' });
      await waitForAnswer(url);
    },
  };
}
