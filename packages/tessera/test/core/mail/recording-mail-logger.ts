// A MailLogger that keeps its lines, and the check that none above debug gives away the mail.
import assert from 'node:assert/strict';
import type { MailLogger } from '../../../src/core/mail/mailer.ts';

export interface LogLine {
  level: keyof MailLogger;
  object: object;
  message: string;
}

export class RecordingMailLogger implements MailLogger {
  readonly lines: LogLine[] = [];
  debug(object: object, message: string): void {
    this.lines.push({ level: 'debug', object, message });
  }
  info(object: object, message: string): void {
    this.lines.push({ level: 'info', object, message });
  }
  warn(object: object, message: string): void {
    this.lines.push({ level: 'warn', object, message });
  }
  error(object: object, message: string): void {
    this.lines.push({ level: 'error', object, message });
  }

  at(level: keyof MailLogger): LogLine[] {
    return this.lines.filter((line) => line.level === level);
  }
}

/** No line at info, warn or error holds any of `secrets` (an address, a subject, a link, a token). */
export function assertNothingPrivateLogged(logger: RecordingMailLogger, secrets: string[]): void {
  const visible = logger.lines.filter((line) => line.level !== 'debug');
  assert.ok(visible.length > 0, 'there are lines to check');
  for (const line of visible) {
    const text = `${line.message} ${JSON.stringify(line.object)}`;
    for (const secret of secrets) assert.ok(!text.includes(secret), `a ${line.level} line gives away ${JSON.stringify(secret)}: ${text}`);
  }
}
