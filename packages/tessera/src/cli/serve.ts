// Serves the application's server on PORT, in WEB_CONCURRENCY processes that share the port.
import cluster from 'node:cluster';
import { relayClusterCacheMessages } from '../core/cache/cluster-cache.ts';
import { TesseraError } from '../core/errors.ts';
import type { AppModule, Servable } from './app-module.ts';

/** Migrates (once, in the primary) when asked, then serves until SIGTERM or SIGINT. */
export async function serve(module: AppModule, options: { migrate: boolean }): Promise<void> {
  const { tessera } = module;
  const build = module.app;
  if (build === undefined) throw new Error('the config module exports no "app" (tessera) => server, so there is nothing to serve');
  const { config } = tessera;
  if (cluster.isPrimary && options.migrate) await tessera.migrate();
  if (cluster.isPrimary) await assertEnoughConnections(module);
  if (cluster.isPrimary && config.webConcurrency > 1) {
    // The primary only supervises: each worker opens its own connections.
    await tessera.close();
    superviseWorkers(config.webConcurrency);
    // Said once, as soon as the port is served: the other processes join it as they come up.
    cluster.once('listening', (_worker, address) => {
      console.log(`tessera: serving on http://${formatHost(address.address ?? config.host)}:${address.port} in ${config.webConcurrency} processes (pid ${process.pid})`);
    });
    return;
  }
  await tessera.ready();
  const app = await build(tessera);
  if (config.development) logEachRequest(app);
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await tessera.close();
    if (cluster.isPrimary) console.log('tessera: stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void close());
  process.once('SIGINT', () => void close());
  // A bug in one request must not take every visitor down with it.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled rejection'));
  const address = await app.listen({ port: config.port, host: config.host });
  if (cluster.isPrimary) console.log(`tessera: serving on ${address} (pid ${process.pid})`);
}

/**
 * In development, one readable line a request on standard output, as Django's runserver prints:
 * `[30/Nov/2026 00:20:01] "GET /accounts/login" 200 3 ms`. A server that is no Fastify app
 * (it takes no hooks) prints none.
 */
function logEachRequest(app: Servable): void {
  const hookable = app as Servable & { addHook?: (name: 'onResponse', hook: (request: { method: string; url: string }, reply: { statusCode: number; elapsedTime: number }) => Promise<void>) => unknown };
  if (typeof hookable.addHook !== 'function') return;
  hookable.addHook('onResponse', async (request, reply) => {
    const at = new Date();
    const stamp = `${String(at.getDate()).padStart(2, '0')}/${at.toLocaleString('en', { month: 'short' })}/${at.getFullYear()} ${at.toTimeString().slice(0, 8)}`;
    process.stdout.write(`[${stamp}] "${request.method} ${request.url}" ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms\n`);
  });
}

/** An IPv6 address in a URL goes in brackets. */
function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Every process keeps up to DATABASE_POOL_SIZE connections: a server that cannot give them all
 * would refuse some under load, long after a start that looked fine. Said now, by name.
 */
async function assertEnoughConnections({ tessera }: AppModule): Promise<void> {
  const { webConcurrency, databasePoolSize } = tessera.config;
  const limit = await tessera.db.connectionLimit();
  const wanted = webConcurrency * databasePoolSize;
  if (limit !== null && wanted > limit) {
    throw new TesseraError(
      'config_invalid',
      `WEB_CONCURRENCY (${webConcurrency}) × DATABASE_POOL_SIZE (${databasePoolSize}) = ${wanted} connections, more than the database server allows (${limit}: max_connections less superuser_reserved_connections); lower DATABASE_POOL_SIZE or WEB_CONCURRENCY, or raise max_connections`,
    );
  }
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
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) console.log('tessera: stopped');
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
