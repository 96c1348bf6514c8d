// tessera createsuperuser and changepassword: Django's two commands for passwords.
import { TesseraError } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import { readNewPassword } from '../password-prompt.ts';
import { existingUser, requiredUsername } from '../user-argument.ts';

export const createSuperuserCommand: Command = {
  name: 'createsuperuser',
  summary: 'create a user who holds every permission',
  options: {
    username: { type: 'string', valueName: 'NAME', description: 'the new user' },
    email: { type: 'string', valueName: 'EMAIL', description: 'their address (optional)' },
  },
  async run({ module: { tessera }, options, out }) {
    const username = requiredUsername(options.username);
    const email = typeof options.email === 'string' ? options.email : '';
    if ((await tessera.users.getByUsername(username)) !== null) throw new TesseraError('bad_request', 'A user with that username already exists.');
    const password = await readNewPassword({ username, email });
    // The operator vouches for the address typed here: under EMAIL_VERIFICATION=mandatory the
    // site's first account must be able to log in without a mail server.
    const created = await tessera.users.create({ username, email, password: await tessera.passwords.hash(password), isStaff: true, isSuperuser: true, emailVerified: email !== '' });
    if (created === 'username_taken') throw new TesseraError('bad_request', 'A user with that username already exists.');
    out(`superuser ${created.username} created`);
    return 0;
  },
};

export const changePasswordCommand: Command = {
  name: 'changepassword',
  summary: "set a user's password; every session of theirs ends",
  options: { username: { type: 'string', valueName: 'NAME', description: 'the user' } },
  async run({ module: { tessera }, options, out }) {
    const user = await existingUser(tessera, requiredUsername(options.username));
    const password = await readNewPassword({ username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName });
    await tessera.users.update(user.id, { password: await tessera.passwords.hash(password) });
    // Every session of the user ends at once: their auth hash would no longer match anyway.
    await tessera.sessionStore.deleteForUser(user.id);
    out(`password of ${user.username} changed`);
    return 0;
  },
};
