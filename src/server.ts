// Serves the reference site on PORT, in WEB_CONCURRENCY processes that share the port.
import cluster from 'node:cluster';
import type { Config } from './core/config.ts';
import { createSiteTessera } from './site/site-tessera.ts';
import { buildSite } from './site/app.ts';

/** Migrates (once, in the primary), then serves until SIGTERM or SIGINT. */
export async function serve(config: Config, options: { migrate: boolean }): Promise<void> {
  if (cluster.isPrimary && options.migrate) {
    const tessera = createSiteTessera(config);
    await tessera.migrate();
    await tessera.close();
  }
  if (cluster.isPrimary && config.webConcurrency > 1) {
    superviseWorkers(config.webConcurrency);
    return;
  }
  await serveOneProcess(config);
}

function superviseWorkers(count: number): void {
  let stopping = false;
  for (let i = 0; i < count; i += 1) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function serveOneProcess(config: Config): Promise<void> {
  const tessera = createSiteTessera(config);
  await tessera.ready();
  const app = await buildSite(tessera);
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await tessera.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void close());
  process.once('SIGINT', () => void close());
  // A bug in one request must not take every visitor down with it.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled rejection'));
  await app.listen({ port: config.port, host: config.host });
}
