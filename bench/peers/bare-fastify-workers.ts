// The ceiling peer (bare-fastify.ts) under the same WORKERS convention as the other peers:
// WORKERS=2 runs it in two node:cluster workers sharing the port. It has no database to set up.
import { runPeer } from './common.ts';

await runPeer(
  () => undefined,
  async () => {
    await import('./bare-fastify.ts');
    return async () => undefined;
  },
);
