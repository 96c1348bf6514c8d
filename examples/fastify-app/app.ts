// A whole Fastify app on tessera: sign-up, login, a page for logged-in users, logout.
// Build it with `npx tsc`, run it with `node dist/app.js`.
import { fileURLToPath } from 'node:url';
import fastifyFormbody from '@fastify/formbody';
import Fastify from 'fastify';
import { createTessera, loadConfig, safeRedirect, usernameProblem, validatePassword } from 'tessera';
import type { MigrationFactory } from 'tessera/db';
import { loginRequired, tesseraPlugin } from 'tessera/fastify';
import { z } from 'zod';

// The app's own user field, and the migration that adds its column.
const addBio: MigrationFactory = () => ({
  up: async (db) => {
    await db.schema.alterTable('users').addColumn('bio', 'text', (column) => column.notNull().defaultTo('')).execute();
  },
});

/** DATABASE_URL, SECRET_KEY, SESSION_STORE, … come from the environment (see the README). */
export const tessera = createTessera<{ bio: string }>(loadConfig(), {
  userFields: { bio: z.string().default('') },
  migrations: { 'app-0001-bio': addBio },
});

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body: string) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>App</title>${body}</html>`;
// What a form may send: a repeated field (an array) or an oversized one is refused with a 422.
const Form = z.object({
  username: z.string().max(150).default(''),
  password: z.string().max(4096).default(''),
  bio: z.string().max(500).default(''),
  next: z.string().max(2048).default(''),
});

export async function buildApp() {
  // Behind one proxy (TRUST_PROXY=1), request.ip is the client it names, so throttling counts clients.
  const app = Fastify({ trustProxy: tessera.config.trustProxy ? (_address: string, hop: number) => hop < 1 : false });
  await app.register(fastifyFormbody);
  // From here on every POST, PUT, PATCH and DELETE needs the visitor's CSRF token.
  await app.register(tesseraPlugin, { tessera, loginUrl: '/login' });

  const form = (action: string, token: string, fields: string) =>
    page(`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${token}">${fields}<button>Go</button></form>`);
  const credentials = '<input name="username" autocomplete="username"> <input name="password" type="password">';

  app.get('/signup', async (request, reply) => reply.type('text/html').send(form('/signup', request.csrfToken(), `${credentials} <input name="bio">`)));
  app.post('/signup', async (request, reply) => {
    const input = Form.safeParse(request.body);
    if (!input.success) return reply.code(422).send('Please fill in the form.');
    const { username, password, bio } = input.data;
    const problems = [usernameProblem(username), ...validatePassword(password, { username }).map((issue) => issue.code)].filter(Boolean);
    if (problems.length > 0) return reply.code(422).send(`Please fix: ${problems.join(', ')}`);
    const user = await tessera.users.create({ username, password: await tessera.passwords.hash(password), extra: { bio } });
    if (user === 'username_taken') return reply.code(422).send('That username is taken.');
    await request.login(user);
    return reply.redirect('/me', 303);
  });

  app.get('/login', async (request, reply) => {
    const query = Form.pick({ next: true }).safeParse(request.query);
    const next = `<input type="hidden" name="next" value="${escape(query.success ? query.data.next : '')}">`;
    return reply.type('text/html').send(form('/login', request.csrfToken(), credentials + next));
  });
  app.post('/login', async (request, reply) => {
    const input = Form.safeParse(request.body);
    if (!input.success) return reply.code(422).send('Please fill in the form.');
    const { username, password, next } = input.data;
    const result = await request.authenticate(username, password); // throttled per account and address
    if (result.ok) {
      await request.login(result.user); // new session token, CSRF secret rotated
      return reply.redirect(safeRedirect(next, '/me'), 303); // only a path on this site, else /me
    }
    if (result.reason === 'throttled') return reply.code(429).header('Retry-After', String(result.retryAfterSeconds)).send('Too many attempts.');
    return reply.code(422).send('Please enter a correct username and password.');
  });

  app.get('/me', { preHandler: loginRequired() }, async (request, reply) => {
    const user = await tessera.users.getById(request.user.isAuthenticated ? request.user.id : 0);
    const bio = escape(user?.extra.bio ?? '');
    return reply.type('text/html').send(form('/logout', request.csrfToken(), `Hello ${escape(user?.username ?? '')}. ${bio}`));
  });
  app.post('/logout', async (request, reply) => {
    await request.logout(); // the session row is deleted and its cookie expired
    return reply.redirect('/login', 303);
  });
  return app;
}

// `node dist/app.js` serves; the `tessera` command line only imports this module.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await tessera.migrate();
  const app = await buildApp();
  console.log(`listening on ${await app.listen({ port: tessera.config.port, host: tessera.config.host })}`);
}
