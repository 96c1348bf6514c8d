// The ceiling: a bare Fastify route rendering the same page through the same components, with no auth.
import Fastify from 'fastify';
import { renderHome } from './common.ts';

const port = Number(process.env.PORT ?? 3100);
// The same user the tessera run logs in as; no session, no database: just the page.
const username = 'bench-user';

const app = Fastify({ logger: false });
app.get('/', async (_request, reply) => {
  const html = await renderHome(username);
  return reply.type('text/html; charset=utf-8').send(html);
});
await app.listen({ port, host: '127.0.0.1' });
