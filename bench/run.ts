// npm run bench: tessera's authenticated page view against its peers, one after another, on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Client } from '../test/support/client.ts';
import { freePort } from '../test/support/site.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;
const username = 'bench-user';
const password = 'a long bench passphrase';

interface Started {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function start(args: string[], env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      await fetch(url);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    child,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident memory of a process, from /proc (Linux). */
function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

interface Row {
  name: string;
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  rss: number;
}

async function load(name: string, url: string, headers: Record<string, string>, pid: number): Promise<Row> {
  await autocannon({ url, connections, duration: 2, headers });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 250);
  const result = await autocannon({ url, connections, duration: seconds, headers });
  clearInterval(sampler);
  return {
    name,
    requests: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    rss: peakRss,
  };
}

async function tesseraRow(): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const site = await start(['bin/tessera.js', 'start'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production', SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz' });
  try {
    const client = new Client(site.url);
    const signup = await client.submit('/accounts/signup', '/accounts/signup', { username, password1: password, password2: password });
    if (signup.status !== 303) throw new Error(`signup failed: ${signup.status}`);
    const cookie = `sessionid=${client.cookie('sessionid')}`;
    const page = await fetch(site.url, { headers: { cookie } });
    if (!(await page.text()).includes(username)) throw new Error('the page does not show the user');
    const anonymous = await (await fetch(site.url)).text();
    if (anonymous.includes(username)) throw new Error('the page shows the user without the cookie');
    return await load('tessera (1 process)', site.url, { cookie }, site.child.pid!);
  } finally {
    await site.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function bareRow(): Promise<Row> {
  const peer = await start(['--import', 'tsx', 'bench/peers/bare-fastify.ts'], {});
  try {
    return await load('bare Fastify, same template, no auth', peer.url, {}, peer.child.pid!);
  } finally {
    await peer.stop();
  }
}

const rows = [await tesseraRow(), await bareRow()];
const base = rows[0]!.requests;
const table = [
  '| system | req/s | p50 ms | p99 ms | errors | peak RSS MiB | ratio to tessera |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((row) => `| ${row.name} | ${row.requests.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.errors} | ${row.rss.toFixed(0)} | ${(row.requests / base).toFixed(2)} |`),
].join('\n');
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.log(`\nAuthenticated page view (GET / with a session cookie), ${connections} connections, ${seconds} s\n${machine}\n\n${table}\n`);
writeFileSync(join(root, 'BENCHMARKS.md'), `# Benchmarks\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.\n\n${machine}\n\nAuthenticated page view (GET / with a session cookie), ${connections} connections, ${seconds} s after a 2 s warm-up.\n\n${table}\n`);
