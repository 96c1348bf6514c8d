// tessera addtogroup and grant: Django's groups and permissions from the shell.
import { TesseraError } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { existingUser, requiredUsername } from '../user-argument.ts';

export const addToGroupCommand: Command = {
  name: 'addtogroup',
  summary: 'put a user in a group (e.g. moderators)',
  options: {
    username: { type: 'string', valueName: 'NAME', description: 'the user' },
    group: { type: 'string', valueName: 'GROUP', description: 'an existing group' },
  },
  async run({ module: { tessera }, options, out }) {
    const user = await existingUser(tessera, requiredUsername(options.username));
    if (typeof options.group !== 'string') throw new UsageError('--group is required');
    if (!(await tessera.permissions.store.addUserToGroup(user.id, options.group))) throw new TesseraError('not_found', `no group ${options.group}`);
    out(`${user.username} is now in ${options.group}`);
    return 0;
  },
};

export const grantCommand: Command = {
  name: 'grant',
  summary: 'give a user one permission directly',
  options: {
    username: { type: 'string', valueName: 'NAME', description: 'the user' },
    permission: { type: 'string', valueName: 'APP.ACTION_MODEL', description: 'e.g. articles.delete_article' },
  },
  async run({ module: { tessera }, options, out }) {
    const user = await existingUser(tessera, requiredUsername(options.username));
    if (typeof options.permission !== 'string') throw new UsageError('--permission is required');
    if (!(await tessera.permissions.store.grant(user.id, options.permission))) throw new TesseraError('not_found', `no permission ${options.permission}`);
    out(`${user.username} now has ${options.permission}`);
    return 0;
  },
};
