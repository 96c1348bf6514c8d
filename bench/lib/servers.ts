// Starting and stopping the systems under test, each on its own loopback port, and reading their memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/site.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));
/** The site's commands as `npm start` runs them: the installed tessera binary with the site's config module. */
export function siteCommand(command: string): string[] {
  return ['node_modules/tessera/dist/cli/bin.js', command, '--config', 'site/tessera.config.ts'];
}

export interface Server {
  url: string;
  child: ChildProcess;
  /** resident memory of the process and its children, MiB */
  rssMiB(): number;
  stop(): Promise<void>;
}

export class Skipped extends Error {}

/** Starts `node argv…` from the repository root with `env` and PORT, and waits until it answers. */
export async function startServer(argv: readonly string[], env: Record<string, string>, options: { missingExitCode?: number; probe?: string } = {}): Promise<Server> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, argv, {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (log = (log + String(chunk)).slice(-4000)));
  child.stderr?.on('data', (chunk) => (log = (log + String(chunk)).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; attempt < 600 && Date.now() < deadline; attempt += 1) {
    if (child.exitCode !== null) {
      if (child.exitCode === options.missingExitCode) throw new Skipped(log.trim());
      throw new Error(`${argv.join(' ')} exited with ${child.exitCode}:\n${log}`);
    }
    try {
      await fetch(url + (options.probe ?? '/'));
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    child,
    rssMiB: () => treeRssMiB(child.pid!),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** RSS of a process and all its descendants (cluster workers, gunicorn workers). */
export function treeRssMiB(pid: number): number {
  let total = rssOf(pid);
  for (const child of childrenOf(pid)) total += treeRssMiB(child);
  return total;
}
