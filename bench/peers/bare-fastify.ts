// The ceiling: a bare Fastify route rendering the same page through the same liquid templates, with no auth.
import Fastify from 'fastify';
import { Liquid } from 'liquidjs';
import { catalogue } from '../../site/src/i18n/index.ts';
import { templatesDirectory } from '../../site/src/render.ts';

const port = Number(process.env.PORT ?? 3100);
const liquid = new Liquid({ root: templatesDirectory, extname: '.liquid', outputEscape: 'escape', cache: true, strictFilters: true });
// The same user the tessera run logs in as; no session, no database: just the page.
const user = { isAuthenticated: true, username: 'bench-user' };

const app = Fastify({ logger: false });
app.get('/', async (_request, reply) => {
  const html = await liquid.renderFile('home', {
    lang: 'en',
    m: catalogue('en'),
    user,
    csrf: 'x'.repeat(64),
    path: '/',
    assets: { 'site.css': '/static/site.css' },
    flash: [],
    title: 'Welcome',
  });
  return reply.type('text/html; charset=utf-8').send(html);
});
await app.listen({ port, host: '127.0.0.1' });
