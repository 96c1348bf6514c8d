// The three places a message can go (the terminal, a folder of .eml files, an SMTP server), behind
// one small interface of our own so nodemailer's types stay out of tessera's declarations.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { EmailTransportSpec, SmtpTransportSpec } from './email-url.ts';
import type { OutgoingMail } from './mail-message.ts';

/** Delivers a finished message; the {@link Mailer} queues and retries around it. */
export interface MailTransport {
  readonly kind: EmailTransportSpec['kind'];
  /** Resolves once the message is out of our hands (written, or accepted by the server); rejects otherwise. */
  deliver(message: OutgoingMail): Promise<void>;
  /** Lets go of what the transport holds; nothing is delivered after it. */
  close(): void;
}

/** What only some transports need. */
export interface MailTransportOptions {
  /** where the console transport writes; process.stdout by default */
  output?: NodeJS.WritableStream;
  /** extra trust for SMTP over TLS: a private CA, or a test's self-signed certificate */
  tls?: { ca?: string | Buffer };
}

// A dead or silent server must fail a delivery, not hold the queue: nodemailer waits 2 minutes
// for a connection and 10 for a quiet socket by default. The deadline bounds a whole delivery,
// which a server trickling a byte a minute would otherwise stretch without end.
const connectionTimeoutMs = 10_000;
const greetingTimeoutMs = 10_000;
const dnsTimeoutMs = 10_000;
const socketTimeoutMs = 30_000;
const deliveryDeadlineMs = 60_000;

/** The transport EMAIL_URL names. */
export function createMailTransport(spec: EmailTransportSpec, options: MailTransportOptions = {}): MailTransport {
  switch (spec.kind) {
    case 'console':
      return consoleTransport(options.output ?? process.stdout);
    case 'file':
      return fileTransport(resolve(spec.directory));
    case 'smtp':
      return smtpTransport(spec, options.tls);
  }
}

/** The fields nodemailer composes a message from: text and HTML make it multipart/alternative, UTF-8. */
function composed(message: OutgoingMail) {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    date: message.date,
  };
}

// Our messages are strings we built; nothing in one should ever make nodemailer read a file or fetch a URL.
const noOutsideAccess = { disableFileAccess: true, disableUrlAccess: true };

/** The Date header as nodemailer writes it, so the console shows what a real message would carry. */
function dateHeader(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Django's console backend, readable. nodemailer never writes a text part as 8bit: any non-ASCII
 * text becomes quoted-printable or base64, so Korean would show as `=EB=B9=84…` and a long link
 * would be cut by `=` soft line breaks, unclickable. So the console gets the headers and the two
 * parts as they are, decoded, in a plain layout, each message ended by Django's line of 79 dashes.
 */
function consoleTransport(output: NodeJS.WritableStream): MailTransport {
  return {
    kind: 'console',
    deliver(message) {
      return new Promise((resolveWrite, rejectWrite) => {
        output.write(consoleText(message), (error) => (error ? rejectWrite(error) : resolveWrite()));
      });
    },
    close() {},
  };
}

function consoleText(message: OutgoingMail): string {
  // a line break in a header value would let the value pose as further headers
  const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');
  return [
    `Message-ID: ${message.messageId}`,
    `Date: ${dateHeader(message.date)}`,
    `From: ${oneLine(message.from)}`,
    `To: ${oneLine(message.to)}`,
    `Subject: ${oneLine(message.subject)}`,
    '',
    '----- text/plain; charset=utf-8 -----',
    message.text,
    '----- text/html; charset=utf-8 -----',
    message.html,
    '-'.repeat(79),
    '',
  ].join('\n');
}

/**
 * Django's file backend, as standard .eml files: one a message, named by time then random so `ls`
 * lists them in order and two processes never collide. Written under a dot-name and renamed, so a
 * reader (a test, a developer's mail client) never opens half a message; owner-only, since each
 * holds a live reset or verification link.
 */
function fileTransport(directory: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...noOutsideAccess });
  return {
    kind: 'file',
    async deliver(message) {
      const info = await composer.sendMail(composed(message));
      if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer returned a stream where a buffer was asked for');
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const name = emlFileName(message.date);
      await writeAtomically(join(directory, name), join(directory, `.${name}.tmp`), info.message);
    },
    close() {
      composer.close();
    },
  };
}

function emlFileName(date: Date): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
  return `${stamp}-${randomBytes(6).toString('hex')}.eml`;
}

async function writeAtomically(path: string, temporaryPath: string, contents: Buffer): Promise<void> {
  const file = await open(temporaryPath, 'wx', 0o600);
  try {
    try {
      await file.writeFile(contents);
      // on disk before it has its name, so a crash cannot leave a named but empty message
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => {});
    throw error;
  }
}

/**
 * Whether plain `smtp://` must upgrade with STARTTLS or fail: when it logs in to a server that is
 * not this machine. Taking the upgrade only when offered (nodemailer's default) lets anyone on the
 * path strip the offer and read the password and the reset links; a relay on loopback, or one that
 * takes mail without a login, is left as it is.
 */
export function requiresStartTls(spec: SmtpTransportSpec): boolean {
  if (spec.secure || spec.auth === undefined) return false;
  const host = spec.host.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  return !loopback;
}

/**
 * One connection a message (no pool): tessera sends a few mails an hour, and a pooled connection
 * would mostly be one the server has already dropped.
 */
function smtpTransport(spec: SmtpTransportSpec, tls: MailTransportOptions['tls']): MailTransport {
  const transporter = nodemailer.createTransport({
    host: spec.host,
    port: spec.port,
    secure: spec.secure,
    requireTLS: requiresStartTls(spec),
    ...(spec.auth !== undefined && { auth: { user: spec.auth.user, pass: spec.auth.pass } }),
    ...(tls?.ca !== undefined && { tls: { ca: tls.ca } }),
    connectionTimeout: connectionTimeoutMs,
    greetingTimeout: greetingTimeoutMs,
    dnsTimeout: dnsTimeoutMs,
    socketTimeout: socketTimeoutMs,
    ...noOutsideAccess,
  });
  return {
    kind: 'smtp',
    async deliver(message) {
      await transporter.sendMail({ ...composed(message), signal: AbortSignal.timeout(deliveryDeadlineMs) });
    },
    close() {
      transporter.close();
    },
  };
}
