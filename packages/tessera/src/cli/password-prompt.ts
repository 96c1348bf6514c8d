// Reading a new password for createsuperuser and changepassword, as Django's commands do: from
// the terminal with the typing hidden, asked twice; from TESSERA_PASSWORD or a line of standard
// input when there is no terminal (scripts, CI).
import { validatePassword, type PasswordContext } from '../core/passwords/validators.ts';
import { passwordIssueMessage } from '../core/passwords/messages.ts';
import { UsageError } from './command.ts';

/** One line typed at the terminal with nothing echoed; Ctrl-C ends the command. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const input = process.stdin;
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let typed = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          input.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
  });
}

async function firstLineOfStdin(): Promise<string> {
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.includes('\n')) break;
  }
  return input.split(/\r?\n/)[0] ?? '';
}

/** The problems Django's validators find, in English, as one message; null when there are none. */
function problemsOf(password: string, context: PasswordContext): string | null {
  const issues = validatePassword(password, context);
  return issues.length === 0 ? null : issues.map((issue) => passwordIssueMessage(issue, 'en')).join(' ');
}

const noPassword = 'no password given: type it at the prompt, or set TESSERA_PASSWORD (or give it on standard input) when there is no terminal';

/**
 * A new password that passes the validators. At a terminal, a refused or mistyped one is asked
 * for again (three times at most); elsewhere it is an error, with the validators' words.
 */
export async function readNewPassword(context: PasswordContext): Promise<string> {
  if (!process.stdin.isTTY || process.env.TESSERA_PASSWORD !== undefined) {
    const password = process.env.TESSERA_PASSWORD ?? (await firstLineOfStdin());
    if (password === '') throw new UsageError(noPassword);
    const problems = problemsOf(password, context);
    if (problems !== null) throw new Error(problems);
    return password;
  }
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const password = await readHidden('Password: ');
    if (password === '') {
      process.stderr.write('Error: Blank passwords aren\'t allowed.\n');
      continue;
    }
    if ((await readHidden('Password (again): ')) !== password) {
      process.stderr.write("Error: Your passwords didn't match.\n");
      continue;
    }
    const problems = problemsOf(password, context);
    if (problems === null) return password;
    process.stderr.write(`${problems}\n`);
  }
  throw new Error('no acceptable password after three tries');
}
