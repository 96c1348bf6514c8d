// The outbox: a flow hands it a message and answers its request at once; delivery, and a few
// retries, happen in the background.
import addressparser from 'nodemailer/lib/addressparser';
import { TesseraError } from '../errors.ts';
import { parseEmailUrl } from './email-url.ts';
import type { MailMessage, OutgoingMail } from './mail-message.ts';
import { newMessageId } from './mail-message.ts';
import { createMailTransport, type MailTransport } from './mail-transport.ts';

/**
 * Where the mailer's log lines go: pino's (Fastify's `app.log`) or anything shaped like it. Lines at
 * info and above carry no address, subject, body, link or server reply (replies quote the address);
 * only debug names the recipient.
 */
export interface MailLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** How a {@link Mailer} sends, and how hard it tries. */
export interface MailerOptions {
  /** EMAIL_URL: `console`, `file:DIR`, `smtp://user:pass@host:port` or `smtps://…` */
  url: string;
  /** DEFAULT_FROM_EMAIL, the sender of every message */
  from: string;
  logger?: MailLogger;
  /** deliveries tried for one message before it is given up; 3 by default */
  attempts?: number;
  /** the wait after each failed attempt, the last repeated if there are more attempts; [1000, 5000] by default */
  retryDelaysMs?: number[];
  /** where the console transport writes; process.stdout by default */
  output?: NodeJS.WritableStream;
  /** extra trust for SMTP over TLS: a private CA, or a test's self-signed certificate */
  tls?: { ca?: string | Buffer };
}

const silentLogger: MailLogger = { debug() {}, info() {}, warn() {}, error() {} };

// Two deliveries at once: one slow server reply does not hold every other mail, and a burst of
// resets cannot open a connection each.
const concurrency = 2;
// Past this many waiting messages (a server down during a burst), more are dropped and logged
// rather than held in memory without end.
const queueLimit = 1000;
const closeWaitMs = 10_000;

interface Job {
  mail: OutgoingMail;
  /** deliveries tried so far */
  attempts: number;
}

/**
 * Sends tessera's mail through the transport EMAIL_URL names. `send` never throws and never waits:
 * a request that sends a reset link answers the same whether the mail server is up or not, so
 * neither its timing nor an error page tells anything about the mail.
 *
 * @example
 * const mailer = new Mailer({ url: config.email.url, from: config.email.from, logger: app.log });
 * mailer.send({ to: user.email, subject: 'Password reset', text, html });
 * // on shutdown
 * await mailer.close();
 */
export class Mailer {
  readonly transportKind: MailTransport['kind'];
  readonly #transport: MailTransport;
  readonly #from: string;
  #logger: MailLogger;
  readonly #attempts: number;
  readonly #retryDelaysMs: readonly number[];
  readonly #ready: Job[] = [];
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #delivering = 0;
  #idleWaiters: Array<() => void> = [];
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: MailerOptions) {
    const attempts = options.attempts ?? 3;
    const retryDelaysMs = options.retryDelaysMs ?? [1000, 5000];
    if (!Number.isInteger(attempts) || attempts < 1) throw new TesseraError('config_invalid', 'Mailer attempts must be a whole number of at least 1');
    if (retryDelaysMs.length === 0 || retryDelaysMs.some((delay) => !Number.isFinite(delay) || delay < 0)) {
      throw new TesseraError('config_invalid', 'Mailer retryDelaysMs must be one or more delays of 0 ms or more');
    }
    this.#transport = createMailTransport(parseEmailUrl(options.url), {
      ...(options.output !== undefined && { output: options.output }),
      ...(options.tls !== undefined && { tls: options.tls }),
    });
    this.transportKind = this.#transport.kind;
    this.#from = options.from;
    this.#logger = options.logger ?? silentLogger;
    this.#attempts = attempts;
    this.#retryDelaysMs = [...retryDelaysMs];
  }

  /**
   * Queues the message and returns. Its fate is in the log: `mail sent`, or `mail not delivered`
   * at error once the attempts are spent (or at once, for a message no server can take).
   */
  send(message: MailMessage): void {
    try {
      if (this.#closed) {
        this.#log('error', { transport: this.transportKind }, 'mail not sent: the mailer is closed');
        return;
      }
      if (!isOneRecipient(message.to)) {
        // "a@x, b@y" would mail one person's reset link to another as well
        this.#log('debug', { to: message.to }, 'mail not sent: not exactly one recipient address');
        this.#log('error', { transport: this.transportKind }, 'mail not sent: not exactly one recipient address');
        return;
      }
      if (this.#pending >= queueLimit) {
        this.#log('error', { transport: this.transportKind, queued: this.#pending }, 'mail not sent: the queue is full');
        return;
      }
      // copied, so a caller changing its object later does not change the mail
      const mail: OutgoingMail = {
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        from: this.#from,
        messageId: newMessageId(this.#from),
        date: new Date(),
      };
      this.#log('debug', { messageId: mail.messageId, to: mail.to, transport: this.transportKind }, 'mail queued');
      this.#ready.push({ mail, attempts: 0 });
      this.#pump();
    } catch {
      // nothing above should throw; if it does, the caller's request must still not fail over mail
      this.#log('error', { transport: this.transportKind }, 'mail not sent: unexpected failure while queueing');
    }
  }

  /** Resolves when nothing is queued, being delivered or waiting for a retry. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolveIdle) => this.#idleWaiters.push(resolveIdle));
  }

  /**
   * Refuses new mail, waits up to 10 seconds for the queue to empty, gives up on what is left
   * (logged with its count) and closes the transport.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolveWait) => (timer = setTimeout(resolveWait, closeWaitMs)))]);
    clearTimeout(timer);
    const abandoned = this.#ready.length + this.#retryTimers.size;
    for (const retry of this.#retryTimers) clearTimeout(retry);
    this.#retryTimers.clear();
    this.#ready.length = 0;
    if (abandoned > 0) this.#log('error', { transport: this.transportKind, abandoned }, 'mail not delivered: the mailer closed first');
    this.#settleIfIdle();
    this.#transport.close();
  }

  get #pending(): number {
    return this.#ready.length + this.#delivering + this.#retryTimers.size;
  }

  #isIdle(): boolean {
    return this.#pending === 0;
  }

  #settleIfIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  #pump(): void {
    while (this.#delivering < concurrency && this.#ready.length > 0) {
      const job = this.#ready.shift() as Job;
      this.#delivering += 1;
      void this.#deliver(job).finally(() => {
        this.#delivering -= 1;
        this.#pump();
        this.#settleIfIdle();
      });
    }
  }

  /** One attempt; a failure schedules the next or gives up. Never rejects. */
  async #deliver(job: Job): Promise<void> {
    job.attempts += 1;
    const { messageId } = job.mail;
    const transport = this.transportKind;
    try {
      await this.#transport.deliver(job.mail);
      this.#log('info', { messageId, transport, attempt: job.attempts }, 'mail sent');
      return;
    } catch (error) {
      const failure = failureFields(error);
      this.#log('debug', { messageId, to: job.mail.to, transport, attempt: job.attempts, reason: error instanceof Error ? error.message : String(error) }, 'mail delivery failed');
      // a 5xx reply is the server's final word on this message; asking again only repeats it
      const permanent = failure.responseCode !== undefined && failure.responseCode >= 500 && failure.responseCode < 600;
      if (permanent || job.attempts >= this.#attempts || this.#closed) {
        this.#log('error', { messageId, transport, attempts: job.attempts, permanent, ...failure }, 'mail not delivered');
        return;
      }
      const retryInMs = this.#retryDelaysMs[Math.min(job.attempts, this.#retryDelaysMs.length) - 1] ?? 0;
      this.#log('warn', { messageId, transport, attempt: job.attempts, of: this.#attempts, retryInMs, ...failure }, 'mail delivery failed, will retry');
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        this.#ready.push(job);
        this.#pump();
      }, retryInMs);
      this.#retryTimers.add(timer);
    }
  }

  /**
   * Where failures are logged from now on: `createTessera` makes the mailer before the app that
   * has the logger, so the app hands it over (the reference site passes Fastify's `app.log`).
   */
  setLogger(logger: MailLogger): void {
    this.#logger = logger;
  }

  /** A logger that throws must not stop the delivery loop. */
  #log(level: keyof MailLogger, object: object, message: string): void {
    try {
      this.#logger[level](object, message);
    } catch {
      // nowhere left to report it
    }
  }
}

/**
 * The parts of a delivery error fit for a log line at any level: nodemailer's and Node's `code`
 * (`ECONNECTION`, `EAUTH`, `ECONNREFUSED`) and the SMTP reply code; never the reply's text, which
 * often quotes the recipient.
 */
function failureFields(error: unknown): { code?: string; responseCode?: number } {
  if (typeof error !== 'object' || error === null) return {};
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  return {
    ...(typeof code === 'string' && /^[A-Z0-9_]{1,40}$/i.test(code) && { code }),
    ...(typeof responseCode === 'number' && Number.isInteger(responseCode) && { responseCode }),
  };
}

/** One mailbox, parsed as nodemailer will parse it: no list, no group, no header smuggled in by a line break. */
function isOneRecipient(to: unknown): boolean {
  if (typeof to !== 'string' || /[\r\n]/.test(to)) return false;
  const parsed = addressparser(to);
  // The bare address and nothing else: `x<y@evil.example>` parses as one recipient, but not the
  // one the application stored and checked.
  return parsed.length === 1 && parsed[0]?.group === undefined && parsed[0]?.name === '' && parsed[0]?.address === to && /^[^@\s]+@[^@\s]+$/.test(to);
}
