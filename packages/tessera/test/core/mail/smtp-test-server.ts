// A real SMTP server on 127.0.0.1 for the mail tests: it checks a login, refuses on demand, and
// keeps every message it accepts parsed by mailparser, with whether its session was over TLS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the server took, and how it came. */
export interface ReceivedMail {
  parsed: ParsedMail;
  envelopeTo: string[];
  /** smtp-server's session.secure: TLS from the start or after STARTTLS */
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtpServerOptions {
  /** the login the server demands; without it, mail is taken without one */
  login?: { user: string; pass: string };
  /** answer DATA with an error this many times before accepting (Infinity: always) */
  refusals?: number;
  /** the reply code of a refusal; 451 (try again later) by default */
  refusalCode?: number;
  /** the reply text of a refusal; servers often quote the recipient, as this one can be made to */
  refusalText?: string;
  /** a certificate: STARTTLS is offered, or with `implicitTls` TLS starts at connect (smtps) */
  certificate?: { key: string; cert: string };
  implicitTls?: boolean;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  /** DATA commands seen, accepted or refused */
  dataAttempts: number;
  /** the most connections open at one time */
  peakConnections: number;
  stop(): Promise<void>;
}

export async function startSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const { login, refusals = 0, refusalCode = 451, refusalText = 'Try again later' } = options;
  const state: TestSmtpServer = { port: 0, received: [], dataAttempts: 0, peakConnections: 0, stop: async () => {} };
  let openConnections = 0;
  const server = new SMTPServer({
    secure: options.implicitTls === true,
    ...(options.certificate !== undefined ? { key: options.certificate.key, cert: options.certificate.cert } : { disabledCommands: ['STARTTLS'] }),
    authOptional: login === undefined,
    // the plain-text test logs in without TLS, as a relay on a private network may allow
    allowInsecureAuth: true,
    disableReverseLookup: true,
    closeTimeout: 1000,
    onConnect(_session, callback) {
      openConnections += 1;
      state.peakConnections = Math.max(state.peakConnections, openConnections);
      callback();
    },
    onClose() {
      openConnections -= 1;
    },
    onAuth(auth, _session, callback) {
      if (login !== undefined && auth.username === login.user && auth.password === login.pass) return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      state.dataAttempts += 1;
      const refuse = state.dataAttempts <= refusals;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refuse) return callback(Object.assign(new Error(refusalText), { responseCode: refusalCode }));
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            state.received.push({
              parsed,
              envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
              secure: session.secure,
              user: session.user,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  state.port = (server.server.address() as AddressInfo).port;
  state.stop = () => new Promise((resolveClose) => server.close(() => resolveClose()));
  return state;
}

/** A port on 127.0.0.1 that nothing listens on (it was bound a moment ago, then let go). */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolveListen) => probe.listen(0, '127.0.0.1', () => resolveListen()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolveClose) => probe.close(() => resolveClose()));
  return port;
}

const opensslPath = '/usr/bin/openssl';

/**
 * A self-signed certificate for 127.0.0.1, made with the openssl command (Node can make keys but
 * not certificates); null when openssl is not installed.
 */
export function selfSignedCertificate(): { key: string; cert: string } | null {
  if (!existsSync(opensslPath)) return null;
  const directory = mkdtempSync(join(tmpdir(), 'tessera-mail-tls-'));
  try {
    const keyPath = join(directory, 'key.pem');
    const certPath = join(directory, 'cert.pem');
    execFileSync(
      opensslPath,
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore', timeout: 20_000 },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
