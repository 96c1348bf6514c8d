// The `tessera` command line: the app's own management commands, as Django's manage.py. It reads
// the app's config module (--config), so it migrates that app's tables and no other's.
import { parseArgs } from 'node:util';
import { UsageError, type Command, type OptionSpec } from './command.ts';
import { checkCommand } from './commands/check.ts';
import { importDjangoCommand } from './commands/import-django.ts';
import { migrateCommand } from './commands/migrate.ts';
import { addToGroupCommand, grantCommand } from './commands/permissions.ts';
import { serveCommand, startCommand } from './commands/serve.ts';
import { clearSessionsCommand, logoutEverywhereCommand, sessionsCommand } from './commands/sessions.ts';
import { changePasswordCommand, createSuperuserCommand } from './commands/users.ts';
import { explainDatabaseError } from './database-errors.ts';
import { findConfig, loadAppModule } from './load-config.ts';

const commands: readonly Command[] = [
  startCommand,
  serveCommand,
  migrateCommand,
  createSuperuserCommand,
  changePasswordCommand,
  sessionsCommand,
  logoutEverywhereCommand,
  clearSessionsCommand,
  addToGroupCommand,
  grantCommand,
  importDjangoCommand,
  checkCommand,
];

/** Options every command takes. */
const globalOptions: OptionSpec = {
  config: { type: 'string', valueName: 'PATH', description: 'the app\'s config module (default: tessera.config.ts, .mts, .js or .mjs here)' },
  help: { type: 'boolean', short: 'h', description: 'this help' },
};

function optionLines(options: OptionSpec): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(34)} ${spec.description}`;
  });
}

function commandUsage(command: Command): string {
  const positionals = (command.positionals ?? []).join(' ');
  const options = Object.keys(command.options).length > 0 ? ' [options]' : '';
  return [
    `usage: tessera ${command.name}${positionals ? ` ${positionals}` : ''}${options} [--config PATH]`,
    '',
    `${command.summary}.`,
    '',
    'options:',
    ...optionLines({ ...command.options, ...globalOptions }),
  ].join('\n');
}

const usage = [
  'usage: tessera <command> [options] [--config PATH]',
  '',
  "The app's config module is --config PATH, else tessera.config.ts (.mts, .js or .mjs) in this",
  "folder: its default export is the app's tessera instance; an export named \"app\" builds the",
  "server to serve. Run it with the server's environment (DATABASE_URL or DATA_DIR, SECRET_KEY).",
  '',
  'commands:',
  ...commands.map((command) => `  ${command.name.padEnd(20)} ${command.summary}`),
  `  ${'help [COMMAND]'.padEnd(20)} this list, or one command's options`,
  '',
  'Every command takes --help.',
].join('\n');

/** Runs the command line; the exit code (0 done, 1 failed, 2 wrongly called), or -1 for a running server. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const asked = first === 'help' ? rest.find((word, index) => !word.startsWith('-') && rest[index - 1] !== '--config') : undefined;
    const about = asked === undefined ? undefined : commands.find((command) => command.name === asked);
    if (asked !== undefined && about === undefined) {
      console.error(`tessera: unknown command "${asked}"\n\n${usage}`);
      return 2;
    }
    console.log(about ? commandUsage(about) : usage);
    // No command at all is a mistake; asking for help is not.
    return first === undefined ? 2 : 0;
  }
  const command = commands.find((candidate) => candidate.name === first);
  if (command === undefined) {
    console.error(`tessera: unknown command "${first}"\n\n${usage}`);
    return 2;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, ...globalOptions }, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`tessera ${command.name}: ${error instanceof Error ? error.message : String(error)}\n\n${commandUsage(command)}`);
    return 2;
  }
  if (parsed.values.help === true) {
    console.log(commandUsage(command));
    return 0;
  }
  if (parsed.positionals.length !== (command.positionals ?? []).length) {
    console.error(`tessera ${command.name}: expected ${(command.positionals ?? []).join(' ') || 'no argument'}, got "${parsed.positionals.join(' ')}"\n\n${commandUsage(command)}`);
    return 2;
  }
  const config = typeof parsed.values.config === 'string' ? parsed.values.config : undefined;
  const module = await loadAppModule(findConfig(config));
  try {
    // Every command works on an up-to-date schema, as the server does.
    if (command.migrates !== false) await module.tessera.migrate();
    return await command.run({ module, options: parsed.values, positionals: parsed.positionals, out: (line) => console.log(line) });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`tessera ${command.name}: ${error.message}\n\n${commandUsage(command)}`);
      return 2;
    }
    throw explainDatabaseError(error, module.tessera.config.databaseUrl);
  } finally {
    if (command.migrates !== false) await module.tessera.close();
  }
}

