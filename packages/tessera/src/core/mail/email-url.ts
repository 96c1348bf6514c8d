// EMAIL_URL, the one setting that says where mail goes, parsed in this one place.
import { fileURLToPath } from 'node:url';
import { TesseraError } from '../errors.ts';

/** Where mail goes, as {@link parseEmailUrl} reads it from EMAIL_URL. */
export type EmailTransportSpec = { kind: 'console' } | { kind: 'file'; directory: string } | SmtpTransportSpec;

/** An SMTP server to hand mail to, with everything taken out of its URL. */
export interface SmtpTransportSpec {
  kind: 'smtp';
  /** the URL as configured; it holds the password, so log {@link describeEmailUrl}'s text instead */
  url: string;
  /**
   * smtps://: TLS from the first byte. smtp://: plain, upgraded with STARTTLS whenever the server
   * offers it (and then the certificate is checked), which is nodemailer's default
   */
  secure: boolean;
  host: string;
  /** from the URL, or 587 (submission) for smtp:// and 465 for smtps://, as nodemailer picks */
  port: number;
  /** percent-decoded; absent for a relay that takes mail without a login */
  auth?: { user: string; pass: string };
}

const expectedForms = 'EMAIL_URL must be console, file:DIR, smtp://user:pass@host:port or smtps://user:pass@host:port';

function invalid(problem: string): TesseraError {
  return new TesseraError('config_invalid', problem);
}

/**
 * Reads EMAIL_URL: `console` (Django's console backend), `file:DIR` (one .eml file a message, DIR
 * relative to the working directory or absolute; `file:///abs/dir` works too), `smtp://` or
 * `smtps://`, with the user name and password percent-encoded as in any URL. Throws a
 * `config_invalid` TesseraError whose message names EMAIL_URL and never repeats the URL, as the
 * URL may hold a password.
 *
 * @example
 * parseEmailUrl('smtps://mailer%40example.com:s3cret@smtp.example.com');
 * // { kind: 'smtp', secure: true, host: 'smtp.example.com', port: 465,
 * //   auth: { user: 'mailer@example.com', pass: 's3cret' }, url: '…' }
 */
export function parseEmailUrl(url: string): EmailTransportSpec {
  const value = url.trim();
  if (value === 'console') return { kind: 'console' };
  if (value.startsWith('file:')) return { kind: 'file', directory: fileDirectory(value) };
  if (value.startsWith('smtp://') || value.startsWith('smtps://')) return smtpSpec(value);
  throw invalid(expectedForms);
}

function fileDirectory(value: string): string {
  const rest = value.slice('file:'.length);
  if (rest.includes('\0')) throw invalid('EMAIL_URL=file:DIR names a directory with a NUL character in it');
  if (rest.startsWith('//')) {
    try {
      return fileURLToPath(value);
    } catch {
      throw invalid('EMAIL_URL=file://… must be a local file URL such as file:///var/mail/tessera (or write file:DIR)');
    }
  }
  if (rest === '') throw invalid('EMAIL_URL=file: needs a directory, e.g. file:data/mail');
  return rest;
}

function smtpSpec(value: string): SmtpTransportSpec {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // the URL's own TypeError carries the input, password and all, so it is not passed on
    throw invalid(`EMAIL_URL is not a valid URL (a password holding / ? # or @ must be percent-encoded); ${expectedForms}`);
  }
  const secure = parsed.protocol === 'smtps:';
  if (parsed.hostname === '') throw invalid(`EMAIL_URL has no host; ${expectedForms}`);
  // a path or query would be ignored, and an ignored setting is one the operator thinks is in force
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '') {
    throw invalid(`EMAIL_URL takes no path, query or fragment; ${expectedForms}`);
  }
  const port = parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port);
  if (port < 1) throw invalid('EMAIL_URL has port 0; give the SMTP server’s port (587, 465 or 25)');
  if ((parsed.username === '') !== (parsed.password === '')) {
    throw invalid('EMAIL_URL must give both a user name and a password, or neither (smtp://host:port for a relay without login)');
  }
  const spec: SmtpTransportSpec = { kind: 'smtp', url: value, secure, host: decoded(parsed.hostname, 'host').replace(/^\[(.*)\]$/, '$1'), port };
  if (parsed.username !== '') spec.auth = { user: decoded(parsed.username, 'user name'), pass: decoded(parsed.password, 'password') };
  return spec;
}

function decoded(component: string, name: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw invalid(`EMAIL_URL has a malformed percent-escape in its ${name}`);
  }
}

/**
 * EMAIL_URL fit for a log line or a start-up banner: the password is `***`, and a URL that does not
 * parse is not shown at all (where its password ends cannot be known).
 */
export function describeEmailUrl(url: string): string {
  let spec: EmailTransportSpec;
  try {
    spec = parseEmailUrl(url);
  } catch {
    return '(invalid EMAIL_URL, not shown)';
  }
  switch (spec.kind) {
    case 'console':
      return 'console';
    case 'file':
      return `file:${spec.directory}`;
    case 'smtp': {
      const parsed = new URL(spec.url);
      const login = spec.auth === undefined ? '' : `${parsed.username}:***@`;
      return `${parsed.protocol}//${login}${parsed.hostname}:${spec.port}`;
    }
  }
}
