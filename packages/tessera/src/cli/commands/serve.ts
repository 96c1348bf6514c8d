// tessera start and serve: the app's server on PORT, in WEB_CONCURRENCY processes.
import type { Command } from '../command.ts';
import { serve } from '../serve.ts';

export const startCommand: Command = {
  name: 'start',
  summary: 'migrate, then serve (WEB_CONCURRENCY processes on PORT)',
  options: {},
  migrates: false,
  async run({ module }) {
    await serve(module, { migrate: true });
    return -1;
  },
};

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve without migrating',
  options: {},
  migrates: false,
  async run({ module }) {
    await serve(module, { migrate: false });
    return -1;
  },
};
