// tessera check --deploy: Django's deployment checklist for tessera. Each finding has an id, a
// level and a fix; any error makes the exit code 1.
import { estimatedEntropyBits } from '../../core/config.ts';
import type { Tessera } from '../../core/tessera.ts';
import type { Command } from '../command.ts';
import type { Servable } from '../app-module.ts';

/** One thing the checklist found. */
export interface Finding {
  id: string;
  level: 'error' | 'warning';
  message: string;
  fix: string;
}

/** What can be told from the configuration alone. */
export function configurationFindings(tessera: Tessera<any>, environment: NodeJS.ProcessEnv = process.env): Finding[] {
  const { config } = tessera;
  const findings: Finding[] = [];
  if (!config.production) {
    findings.push({ id: 'tessera.E001', level: 'error', message: 'NODE_ENV is not production: cookies are sent without Secure, and error pages show stack traces', fix: 'set NODE_ENV=production' });
  }
  if (config.secretKey === undefined) {
    findings.push({ id: 'tessera.W002', level: 'warning', message: 'SECRET_KEY is not set: one is generated into DATA_DIR, which every machine serving the site must then share', fix: 'set SECRET_KEY to 48 random bytes, e.g. `openssl rand -base64 48`, the same on every machine' });
  } else if (config.secretKey.length < 50 || estimatedEntropyBits(config.secretKey) < 256) {
    findings.push({ id: 'tessera.W003', level: 'warning', message: `SECRET_KEY is short or guessable (about ${Math.round(estimatedEntropyBits(config.secretKey))} bits): sessions, CSRF tokens and signed cookies are only as strong as it`, fix: 'use at least 50 random characters, e.g. `openssl rand -base64 48`' });
  }
  if (config.production && !config.trustProxy) {
    findings.push({ id: 'tessera.W004', level: 'warning', message: 'TRUST_PROXY is off: behind a TLS-terminating proxy every client has the proxy\'s address (one throttle for everyone) and the scheme reads as http (cross-origin checks compare with it)', fix: 'behind one proxy that sets X-Forwarded-For and X-Forwarded-Proto, set TRUST_PROXY=1; serving TLS directly, ignore this' });
  }
  if (config.sessionStore === 'cached-db' && config.redisUrl === undefined) {
    findings.push({ id: 'tessera.W005', level: 'warning', message: 'SESSION_STORE=cached-db without REDIS_URL caches in each process: it is refused with WEB_CONCURRENCY > 1, and caches nothing shared across machines', fix: 'set REDIS_URL, or SESSION_STORE=db' });
  }
  if (config.databaseUrl.startsWith('sqlite:') && config.webConcurrency > 1) {
    findings.push({ id: 'tessera.W006', level: 'warning', message: 'SQLite serves one machine: several processes share it through file locks, but no second machine can', fix: 'for more than one machine, set DATABASE_URL=postgres://…' });
  }
  const level = environment.LOG_LEVEL;
  if (config.production && (level === 'debug' || level === 'trace')) {
    findings.push({ id: 'tessera.E007', level: 'error', message: `LOG_LEVEL=${level} in production: debug lines carry request URLs, which may hold one-time links, and more`, fix: 'set LOG_LEVEL=info (or warn)' });
  }
  if (config.email.url === 'console') {
    // In production the printed mails are live reset links in whatever keeps the process's output.
    findings.push({ id: config.production ? 'tessera.E012' : 'tessera.W012', level: config.production ? 'error' : 'warning', message: 'EMAIL_URL is console (the default): password-reset and verification mails, live links included, are printed to standard output, not sent', fix: 'set EMAIL_URL=smtp://user:pass@host:587 (or smtps://…:465) and DEFAULT_FROM_EMAIL' });
  }
  if (config.production && config.email.url.startsWith('file:')) {
    findings.push({ id: 'tessera.W014', level: 'warning', message: 'EMAIL_URL is file: in production: mails are written to files, not sent, and the files hold live reset links', fix: 'set EMAIL_URL=smtp://user:pass@host:587 (or smtps://…:465)' });
  }
  if (config.siteUrl === undefined) {
    findings.push({ id: 'tessera.E013', level: 'error', message: config.production ? "SITE_URL is not set: in production no mail with a link (password reset, verification) is sent, since the request's Host header cannot be trusted to name the site" : "SITE_URL is not set: links in mails are built from the request's Host header, which whoever asks for a password reset chooses (a link to their own site, carrying the victim's token)", fix: 'set SITE_URL to the site\'s origin, e.g. https://example.com' });
  } else if (config.production && config.siteUrl.startsWith('http://')) {
    findings.push({ id: 'tessera.W015', level: 'warning', message: 'SITE_URL is http:// in production: reset and verification links, and the pages they open, travel unencrypted', fix: 'serve the site over HTTPS and set SITE_URL=https://…' });
  }
  return findings;
}

/** What needs the database: the connection pool against what the server allows. */
async function databaseFindings(tessera: Tessera<any>): Promise<Finding[]> {
  const limit = await tessera.db.connectionLimit();
  const wanted = tessera.config.webConcurrency * tessera.config.databasePoolSize;
  if (limit === null || wanted <= limit) return [];
  return [{ id: 'tessera.E008', level: 'error', message: `WEB_CONCURRENCY × DATABASE_POOL_SIZE = ${wanted} connections, more than the database server allows (${limit})`, fix: 'lower DATABASE_POOL_SIZE or WEB_CONCURRENCY, or raise max_connections' }];
}

/** What needs the app itself: the headers its pages go out with (asked as if over HTTPS). */
async function headerFindings(build: ((tessera: Tessera<any>) => Promise<Servable> | Servable) | undefined, tessera: Tessera<any>): Promise<Finding[]> {
  if (build === undefined) return [];
  const app = (await build(tessera)) as Servable & { inject?: (options: object) => Promise<{ headers: Record<string, unknown> }> };
  if (typeof app.inject !== 'function') return [];
  try {
    const response = await app.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'https', host: 'localhost' } });
    const header = (name: string) => String(response.headers[name] ?? '');
    const findings: Finding[] = [];
    if (!/max-age=\d{6,}/.test(header('strict-transport-security'))) {
      findings.push({ id: 'tessera.W009', level: 'warning', message: 'pages carry no Strict-Transport-Security with a long max-age: a browser may be led to the site over plain HTTP', fix: 'send Strict-Transport-Security: max-age=31536000; includeSubDomains in production (the reference site does)' });
    }
    if (!/frame-ancestors 'none'/.test(header('content-security-policy')) && header('x-frame-options').toUpperCase() !== 'DENY') {
      findings.push({ id: 'tessera.W010', level: 'warning', message: 'pages may be framed by other sites (clickjacking)', fix: "send Content-Security-Policy: frame-ancestors 'none' or X-Frame-Options: DENY" });
    }
    if (header('x-content-type-options') !== 'nosniff') {
      findings.push({ id: 'tessera.W011', level: 'warning', message: 'pages carry no X-Content-Type-Options: nosniff', fix: 'send X-Content-Type-Options: nosniff' });
    }
    return findings;
  } finally {
    await app.close();
  }
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check the configuration; --deploy: the deployment checklist',
  options: { deploy: { type: 'boolean', description: 'also what a production deployment needs (exit 1 on any error)' } },
  async run({ module, options, out }) {
    const { tessera } = module;
    const findings = options.deploy === true
      ? [...configurationFindings(tessera), ...(await databaseFindings(tessera)), ...(await headerFindings(module.app, tessera))]
      : await databaseFindings(tessera);
    for (const finding of findings) out(`${finding.id} (${finding.level}) ${finding.message}\n    fix: ${finding.fix}`);
    const errors = findings.filter((finding) => finding.level === 'error').length;
    out(findings.length === 0 ? 'no issues found' : `${findings.length} issue${findings.length === 1 ? '' : 's'} found (${errors} error${errors === 1 ? '' : 's'})`);
    return errors > 0 ? 1 : 0;
  },
};
