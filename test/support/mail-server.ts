// A real SMTP server for the tests (smtp-server on a free loopback port): every message the site
// sends over SMTP is received, parsed (mailparser) and kept, to be read back by recipient.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailServer {
  /** EMAIL_URL for the site: smtp://user:pass@127.0.0.1:port */
  url: string;
  received: ReceivedMail[];
  /** waits (bounded) for the `count`-th mail to `to`, counting from 1, and returns it */
  waitFor(to: string, options?: { count?: number; timeoutMs?: number }): Promise<ReceivedMail>;
  /** the mails to `to` so far */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

const user = 'tessera-tests';
const password = 'smtp-secret';

export async function startMailServer(): Promise<MailServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    // Plain SMTP with a login, as a relay on a private network would take it.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const to = Array.isArray(parsed.to) ? parsed.to.flatMap((entry) => entry.value) : (parsed.to?.value ?? []);
          received.push({
            from: parsed.from?.value[0]?.address ?? '',
            to: to[0]?.address ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
    logger: false,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the SMTP server has no port');
  const to = (address_: string) => received.filter((mail) => mail.to.toLowerCase() === address_.toLowerCase());
  return {
    url: `smtp://${user}:${password}@127.0.0.1:${address.port}`,
    received,
    to,
    async waitFor(address_, options = {}) {
      const count = options.count ?? 1;
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt += 1) {
        const mails = to(address_);
        if (mails.length >= count) return mails[count - 1]!;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no mail number ${count} to ${address_} within the time (${to(address_).length} received)`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link on this site in a mail's text part (the text part puts each link on its own line). */
export function linkIn(mail: ReceivedMail, pathPrefix: string): URL {
  const match = mail.text.split('\n').find((line) => line.startsWith('http') && new URL(line.trim()).pathname.startsWith(pathPrefix));
  if (match === undefined) throw new Error(`no ${pathPrefix} link in the mail:\n${mail.text}`);
  return new URL(match.trim());
}
