// Writes raw bytes on a socket of their own and reads whatever comes back, answers or not.
import { connect } from 'node:net';
import { REQUEST_TIMEOUT_MS } from './campaign-settings.ts';
import type { RawSpec } from './generated-request.ts';
import type { Outcome } from './outcome.ts';

export function sendRaw(port: number, spec: RawSpec): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, REQUEST_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    // Written whole, then half-closed: a server waiting for more body sees the end at once.
    socket.on('connect', () => socket.end(spec.bytes));
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = Buffer.concat(chunks).toString('latin1');
      const statuses = [...answer.matchAll(/(?:^|\r\n)HTTP\/\d\.\d (\d{3})/g)].map((match) => Number(match[1]));
      const location = /\r\nlocation: ([^\r\n]*)/i.exec(answer)?.[1] ?? null;
      resolve({
        status: statuses.find((status) => status >= 200) ?? statuses[0] ?? null,
        statuses,
        location,
        setsSession: /\r\nset-cookie: sessionid=[^;\r\n]+/i.test(answer) && !/\r\nset-cookie: sessionid=[^\r\n]*max-age=0/i.test(answer),
        error: timedOut ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : answer === '' ? 'closed without an answer' : null,
        body: '',
        setCookies: [],
      });
    });
  });
}
