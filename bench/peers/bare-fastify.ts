// The ceiling: a bare Fastify route rendering tessera's own pages through the site's components
// (site-pages.ts), for a fixed user, with no auth, no session, no database: just the page.
import Fastify from 'fastify';
import { renderHome, renderProfile, type SiteUser } from './site-pages.ts';

const port = Number(process.env.PORT ?? 3100);
// The same user the runner logs in as everywhere else.
const user: SiteUser = { username: 'bench-user', email: 'bench-user@bench.example', firstName: '', lastName: '' };
const htmlType = 'text/html; charset=utf-8';

const app = Fastify({ logger: false });
app.get('/accounts/update', async (_request, reply) => reply.type(htmlType).send(renderProfile(user)));
app.get('/', async (_request, reply) => reply.type(htmlType).send(renderHome(user.username)));
await app.listen({ port, host: '127.0.0.1' });
