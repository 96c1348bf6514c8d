// Starts the installed binary on a free loopback port in a throwaway data folder, and stops it by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed `tessera` binary (the library's build, linked into node_modules as a user's app has it). */
export const binary = fileURLToPath(new URL('../../node_modules/tessera/dist/cli/bin.js', import.meta.url));
/** The reference site's config module, which every site command is given. */
export const siteConfig = fileURLToPath(new URL('../../site/tessera.config.ts', import.meta.url));

export interface RunningSite {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs `tessera <command…> --config site/tessera.config.ts` to completion in the given environment. */
export async function runCli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binary, ...args, '--config', siteConfig], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface StartOptions {
  env?: Record<string, string>;
  /** reuse a data folder (a second start against the same database) */
  dataDir?: string;
}

export async function startSite(options: StartOptions = {}): Promise<RunningSite> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tessera-site-'));
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, [binary, 'start', '--config', siteConfig], {
    // The suites sign many users up from 127.0.0.1; the sign-up limit has tests of its own.
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', SIGNUPS_PER_ADDRESS: '100000', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (log += String(chunk)));
  child.stderr?.on('data', (chunk) => (log += String(chunk)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; attempt < 300 && Date.now() < deadline; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`tessera exited with ${child.exitCode}:\n${log}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));
  return { url, port, dataDir, process: child, output: () => log, stop };
}

/**
 * The pids of the processes that answered requests, from the site's debug log (start it with
 * LOG_LEVEL=debug): a multi-process test proves that every process took part.
 */
export function answeringPids(site: RunningSite): Set<number> {
  const pids = new Set<number>();
  for (const line of site.output().split('\n')) {
    if (!line.includes('"msg":"request"')) continue;
    try {
      const entry = JSON.parse(line) as { pid?: number };
      if (typeof entry.pid === 'number') pids.add(entry.pid);
    } catch {
      // a line cut by the buffer's edge
    }
  }
  return pids;
}
