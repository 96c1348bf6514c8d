// Peer: Django 3.2 (Debian's python3-django) on gunicorn (Debian's), contrib.auth + contrib.sessions
// (db backend) on SQLite, PBKDF2. This launcher writes the benchmark's pages (pages.ts's
// template literals, as parts around the user's values) for the views, runs `manage.py migrate` once, then `gunicorn -w $WORKERS` (2 by default) on
// $HOST:$PORT, and passes SIGTERM/SIGINT on. Exits 3, saying so, when Django or gunicorn is missing.
//
// Worker class: gthread with 1 thread (GUNICORN_WORKER_CLASS, GUNICORN_THREADS), i.e. one request
// at a time per worker like the default sync worker, but with HTTP keep-alive. The sync worker
// closes every connection after its response, and autocannon (which ignores `Connection: close`)
// then writes its next request into the closed socket: one ECONNRESET per request and latencies
// counted from the lost request, so the figures would measure autocannon, not Django.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageParts } from './pages.ts';
import { missingExitCode } from './peers.ts';

const projectDir = fileURLToPath(new URL('./django/', import.meta.url));
// Debian's packages install for Debian's python3, which another python3 earlier on PATH cannot see.
const python = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const port = Number(process.env.PORT ?? 3100);
const host = process.env.HOST ?? '127.0.0.1';
const workers = Number(process.env.WORKERS ?? 2);
if (!Number.isInteger(workers) || workers < 1 || workers > 16) {
  console.error(`django peer: WORKERS must be 1..16, not ${process.env.WORKERS}`);
  process.exit(2);
}

const probe = spawnSync(python, ['-c', 'import django, gunicorn; print(django.get_version(), gunicorn.__version__)'], { encoding: 'utf8' });
const [djangoVersion, gunicornVersion] = probe.status === 0 ? probe.stdout.trim().split(' ') : [];
if (!djangoVersion || !gunicornVersion) {
  console.error(
    `django peer: Django and gunicorn are not importable by ${python}; ` +
      'install Debian\'s packages with `apt-get install -y python3-django gunicorn` (or set PYTHON). ' +
      'Skipping the Django peer.',
  );
  process.exit(missingExitCode);
}
if (!djangoVersion.startsWith('3.2')) console.error(`django peer: Django ${djangoVersion}, not the 3.2 this peer was written for`);

const madeDataDir = process.env.DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'tessera-peer-'));
const dataDir = process.env.DATA_DIR ?? madeDataDir!;
const pagesFile = join(dataDir, 'pages.json');
writeFileSync(pagesFile, JSON.stringify(pageParts()));
const env = { ...process.env, DATA_DIR: dataDir, BENCH_PAGES: pagesFile, DJANGO_SETTINGS_MODULE: 'benchsite.settings', PYTHONDONTWRITEBYTECODE: '1' };

const cleanup = () => {
  if (madeDataDir) rmSync(madeDataDir, { recursive: true, force: true });
};

const migrate = spawnSync(python, ['manage.py', 'migrate', '--noinput', '-v', '0'], { cwd: projectDir, env, stdio: ['ignore', 'inherit', 'inherit'] });
if (migrate.status !== 0) {
  console.error(`django peer: migrate failed (${migrate.status ?? migrate.signal})`);
  cleanup();
  process.exit(1);
}

const workerClass = process.env.GUNICORN_WORKER_CLASS ?? 'gthread';
const threads = process.env.GUNICORN_THREADS ?? '1';
const gunicorn = spawn(
  python,
  ['-m', 'gunicorn', '--workers', String(workers), '--worker-class', workerClass, '--threads', threads, '--bind', `${host}:${port}`, '--log-level', 'warning', 'benchsite.wsgi:application'],
  { cwd: projectDir, env, stdio: ['ignore', 'inherit', 'inherit'] },
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => gunicorn.kill('SIGTERM'));
gunicorn.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 1 : 0));
});
