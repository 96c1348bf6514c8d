// What every `tessera` command is: a name, its help, its options, and what it does.
import type { AppModule } from './app-module.ts';

/** The options a command takes, in node:util parseArgs' terms. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; description: string; valueName?: string }>;

/** What a command's run receives: the app's config module, its parsed options and positionals. */
export interface CommandContext {
  module: AppModule;
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** where the command writes what it has to say (standard output) */
  out: (line: string) => void;
}

/** A command of the `tessera` command line. */
export interface Command {
  name: string;
  /** one line for the command list */
  summary: string;
  /** the positional arguments, as shown in the usage line (e.g. "USERNAME") */
  positionals?: string[];
  options: OptionSpec;
  /** false for start and serve: they run until stopped and migrate themselves */
  migrates?: boolean;
  /** the process exit code, or -1 for a server that keeps running */
  run(context: CommandContext): Promise<number>;
}

/** Raised for a mistake in how the command was called: exit code 2, with the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
