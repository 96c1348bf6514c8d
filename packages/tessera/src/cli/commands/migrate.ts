// tessera migrate: tessera's migrations and the app's, never another app's.
import type { Command } from '../command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: "apply tessera's migrations and this app's",
  options: {},
  async run({ out }) {
    // The migrations ran before any command (see main.ts); this one only says so.
    out('migrations applied');
    return 0;
  },
};
