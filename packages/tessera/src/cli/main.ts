// The `tessera` command line: the app's own management commands, as Django's manage.py. It reads
// the app's config module (--config), so it migrates that app's tables and no other's.
import { parseArgs } from 'node:util';
import { TesseraError } from '../core/errors.ts';
import { passwordIssueMessage } from '../core/passwords/messages.ts';
import { validatePassword } from '../core/passwords/validators.ts';
import type { Tessera } from '../core/tessera.ts';
import type { AppModule } from './app-module.ts';
import { findConfig, loadAppModule } from './load-config.ts';
import { serve } from './serve.ts';

const usage = `usage: tessera <command> [--config PATH] [options]

The app's config module is --config PATH, else tessera.config.ts (.mts, .js or .mjs) in this
folder: its default export is the app's tessera instance; an export named "app" builds the
server to serve. Run it with the server's environment (DATABASE_URL or DATA_DIR, SECRET_KEY).

commands:
  start                      migrate, then serve
  serve                      serve without migrating
  migrate                    apply tessera's migrations and the app's
  createsuperuser --username NAME [--email EMAIL]
                             password from TESSERA_PASSWORD or the first line of stdin
  changepassword --username NAME
                             password from TESSERA_PASSWORD or the first line of stdin
  clearsessions              delete expired sessions and finished login-failure counters
                             (run it from cron)
  addtogroup --username NAME --group GROUP
  grant --username NAME --permission APP.ACTION_MODEL
  help                       this text`;

const commands = new Set(['start', 'serve', 'migrate', 'createsuperuser', 'changepassword', 'clearsessions', 'addtogroup', 'grant']);

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

interface Options {
  username?: string | undefined;
  email?: string | undefined;
  group?: string | undefined;
  permission?: string | undefined;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      username: { type: 'string' },
      email: { type: 'string' },
      group: { type: 'string' },
      permission: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') {
    console.log(usage);
    return 0;
  }
  if (command === undefined || !commands.has(command) || extra.length > 0) {
    console.error(command === undefined ? usage : `tessera: unknown command "${[command, ...extra].join(' ')}"\n\n${usage}`);
    return 2;
  }
  const module = await loadAppModule(findConfig(values.config));
  if (command === 'start' || command === 'serve') {
    await serve(module, { migrate: command === 'start' });
    return -1;
  }
  try {
    await runCommand(command, module, values);
    return 0;
  } finally {
    await module.tessera.close();
  }
}

async function runCommand(command: string, module: AppModule, values: Options): Promise<void> {
  const tessera: Tessera<any> = module.tessera;
  // Every command works on an up-to-date schema, as the server does.
  await tessera.migrate();
  switch (command) {
    case 'migrate':
      console.log('migrations applied');
      return;
    case 'clearsessions': {
      const now = Date.now();
      const removed = await tessera.sessionStore.clearExpired(now, now - tessera.config.session.idleTimeoutSeconds * 1000);
      const counters = await tessera.clearExpiredCounters(now);
      console.log(`deleted ${removed} expired sessions and ${counters} finished login-failure and sign-up counters`);
      return;
    }
    case 'addtogroup':
    case 'grant': {
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
      return;
    }
    case 'createsuperuser':
    case 'changepassword': {
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
      return;
    }
  }
}
