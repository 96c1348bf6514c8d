// tessera's command line: start | serve | migrate | createsuperuser | changepassword | clearsessions.
import { parseArgs } from 'node:util';
import { loadConfig } from './core/config.ts';
import { TesseraError } from './core/errors.ts';
import { validatePassword } from './core/passwords/validators.ts';
import { passwordIssueMessage } from './core/passwords/messages.ts';
import { createSiteTessera } from './site/site-tessera.ts';
import { serve } from './server.ts';

const usage = `usage: tessera <command>
  start                      migrate, then serve (what npm start runs)
  serve                      serve without migrating
  migrate                    apply pending migrations
  createsuperuser --username NAME [--email EMAIL]
                             password from TESSERA_PASSWORD or the first line of stdin
  changepassword --username NAME
                             password from TESSERA_PASSWORD or the first line of stdin
  clearsessions              delete expired sessions
  addtogroup --username NAME --group GROUP
                             e.g. --group moderators: may delete any article
  grant --username NAME --permission APP.ACTION_MODEL
                             give one permission directly`;

async function readPassword(): Promise<string> {
  if (process.env.TESSERA_PASSWORD) return process.env.TESSERA_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.includes('\n')) break;
  }
  return input.split(/\r?\n/)[0] ?? '';
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { username: { type: 'string' }, email: { type: 'string' }, group: { type: 'string' }, permission: { type: 'string' } }, allowPositionals: false });
  const config = loadConfig();
  switch (command) {
    case 'start':
    case 'serve':
      await serve(config, { migrate: command === 'start' });
      return -1;
    case 'migrate':
    case 'createsuperuser':
    case 'changepassword':
    case 'clearsessions':
    case 'addtogroup':
    case 'grant':
      break;
    default:
      console.error(usage);
      return 2;
  }
  const tessera = createSiteTessera(config);
  try {
    await tessera.migrate();
    if (command === 'migrate') {
      console.log('migrations applied');
    } else if (command === 'clearsessions') {
      const now = Date.now();
      const removed = await tessera.sessionStore.clearExpired(now, now - config.session.idleTimeoutSeconds * 1000);
      const counters = await tessera.throttle.clearExpired(now);
      console.log(`deleted ${removed} expired sessions and ${counters} finished login-failure counters`);
    } else if (command === 'addtogroup' || command === 'grant') {
      const user = values.username ? await tessera.users.getByUsername(values.username) : null;
      if (!user) throw new TesseraError('not_found', `no user ${values.username ?? '(give --username)'}`);
      const store = tessera.permissions.store;
      if (command === 'addtogroup') {
        if (!values.group || !(await store.addUserToGroup(user.id, values.group))) throw new TesseraError('not_found', `no group ${values.group ?? '(give --group)'}`);
        console.log(`${user.username} is now in ${values.group}`);
      } else {
        if (!values.permission || !(await store.grant(user.id, values.permission))) throw new TesseraError('not_found', `no permission ${values.permission ?? '(give --permission)'}`);
        console.log(`${user.username} now has ${values.permission}`);
      }
    } else {
      const username = values.username;
      if (!username) throw new TesseraError('bad_request', `--username is required\n${usage}`);
      const password = await readPassword();
      const issues = validatePassword(password, { username, email: values.email ?? '' });
      if (issues.length > 0) throw new TesseraError('bad_request', issues.map((issue) => passwordIssueMessage(issue, 'en')).join(' '));
      const encoded = await tessera.passwords.hash(password);
      if (command === 'createsuperuser') {
        const created = await tessera.users.create({ username, email: values.email ?? '', password: encoded, isStaff: true, isSuperuser: true });
        if (created === 'username_taken') throw new TesseraError('bad_request', 'A user with that username already exists.');
        console.log(`superuser ${created.username} created`);
      } else {
        const user = await tessera.users.getByUsername(username);
        if (!user) throw new TesseraError('not_found', `no user ${username}`);
        await tessera.users.update(user.id, { password: encoded });
        // Every session of the user ends: their auth hash no longer matches.
        await tessera.sessionStore.deleteForUser(user.id);
        console.log(`password of ${user.username} changed`);
      }
    }
    return 0;
  } finally {
    await tessera.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
