// Serves the reference site on PORT, in WEB_CONCURRENCY processes that share the port.
import cluster from 'node:cluster';
import { relayClusterCacheMessages } from './core/cache/cluster-cache.ts';
import type { Config } from './core/config.ts';
import { createSiteTessera } from './site/site-tessera.ts';
import { buildSite } from './site/app.ts';
import { loadSiteConfig, type SiteConfig } from './site/site-config.ts';

/** Migrates (once, in the primary), then serves until SIGTERM or SIGINT. */
export async function serve(config: Config, options: { migrate: boolean }): Promise<void> {
  // Read before anything else, so a bad SITE_NOTICE stops the start as a bad tessera setting does.
  const site = loadSiteConfig();
  if (cluster.isPrimary && options.migrate) {
    const tessera = createSiteTessera(config);
    await tessera.migrate();
    await tessera.close();
  }
  if (cluster.isPrimary && config.webConcurrency > 1) {
    superviseWorkers(config.webConcurrency);
    return;
  }
  await serveOneProcess(config, site);
}

/** A worker that dies this soon after starting is failing to start, not crashing under load. */
const quickDeathMs = 5000;
const maxQuickDeaths = 5;

function superviseWorkers(count: number): void {
  let stopping = false;
  let quickDeaths = 0;
  const startedAt = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
  };
  relayClusterCacheMessages();
  for (let i = 0; i < count; i += 1) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    quickDeaths = lived < quickDeathMs ? quickDeaths + 1 : 0;
    if (quickDeaths >= maxQuickDeaths) {
      // A port in use or a database that refuses us: restarting for ever would only hide it.
      console.error(`workers keep dying at start (last: ${signal ?? code}); giving up`);
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      return;
    }
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, Math.min(100 * 2 ** quickDeaths, 5000));
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function serveOneProcess(config: Config, site: SiteConfig): Promise<void> {
  const tessera = createSiteTessera(config);
  await tessera.ready();
  const app = await buildSite(tessera, { notice: site.notice });
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
