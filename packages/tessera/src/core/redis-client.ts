// One way to open Redis for every part that uses it: fail fast while it is away, reconnect by itself.
import { createRequire } from 'node:module';
import type { createClient as CreateClient } from 'redis';

// Loaded on first use: a site without Redis does not pay for the client's memory.
const load = createRequire(import.meta.url);

export function createRedisClient(url: string) {
  const { createClient } = load('redis') as { createClient: typeof CreateClient };
  const client = createClient({
    url,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    // Commands fail at once while disconnected instead of piling up: callers fall back or answer 503.
    disableOfflineQueue: true,
  });
  // Without a listener an 'error' event would end the process; reconnection handles it.
  client.on('error', () => {});
  return client;
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/** Resolves once the client answers, or after about five seconds, whichever is first. */
export async function waitUntilReady(client: RedisClient): Promise<void> {
  for (let attempt = 0; attempt < 50 && !client.isReady; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Closes the client; QUIT would wait for ever on a client that has no connection. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.isReady) await client.quit().catch(() => client.destroy());
  else client.destroy();
}
