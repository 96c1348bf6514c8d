// tessera sessions, logout-everywhere and clearsessions: a user's sessions from the shell.
import type { Tessera } from '../../core/tessera.ts';
import type { Command } from '../command.ts';
import { existingUser, requiredUsername } from '../user-argument.ts';

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function userFrom(positionals: string[], tessera: Tessera<any>) {
  return existingUser(tessera, requiredUsername(positionals[0], 'give the USERNAME'));
}

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: "list a user's sessions: device, address, created, last seen",
  positionals: ['USERNAME'],
  options: {},
  async run({ module: { tessera }, positionals, out }) {
    const user = await userFrom(positionals, tessera);
    const records = await tessera.sessionStore.listForUser(user.id);
    if (records.length === 0) {
      out(`${user.username} has no session kept on the server`);
      return 0;
    }
    out(['id', 'address', 'created', 'last seen', 'device'].join('\t'));
    for (const record of records) out([record.id, record.ip || '-', iso(record.createdAt), iso(record.lastSeen), record.userAgent || '-'].join('\t'));
    return 0;
  },
};

export const logoutEverywhereCommand: Command = {
  name: 'logout-everywhere',
  summary: 'end every session of a user',
  positionals: ['USERNAME'],
  options: {},
  async run({ module: { tessera }, positionals, out }) {
    const user = await userFrom(positionals, tessera);
    const ended = await tessera.sessionStore.deleteForUser(user.id);
    out(`ended ${ended} session${ended === 1 ? '' : 's'} of ${user.username}`);
    return 0;
  },
};

export const clearSessionsCommand: Command = {
  name: 'clearsessions',
  summary: 'delete expired sessions and finished counters (run it from cron)',
  options: {},
  async run({ module: { tessera }, out }) {
    const now = Date.now();
    // On a terminal, a running count: a table of millions takes a while, batch by batch.
    const progress = process.stderr.isTTY ? (deleted: number) => process.stderr.write(`\rdeleting expired sessions: ${deleted}`) : undefined;
    const removed = await tessera.sessionStore.clearExpired(now, now - tessera.config.session.idleTimeoutSeconds * 1000, progress);
    if (progress) process.stderr.write('\n');
    const counters = await tessera.clearExpiredCounters(now);
    const events = await tessera.events.clearOld(now);
    out(`deleted ${removed} expired sessions and ${counters} finished login-failure and sign-up counters`);
    if (events > 0) out(`forgot ${events} authentication events older than 90 days`);
    return 0;
  },
};
