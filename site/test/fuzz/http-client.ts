// Sends a generated request through node:http, on kept-alive connections unless it asks for a fresh one.
import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { IN_FLIGHT, REQUEST_TIMEOUT_MS } from './campaign-settings.ts';
import type { HttpSpec } from './generated-request.ts';
import type { Outcome } from './outcome.ts';

export const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
/** What each kept-alive connection last carried, to name the answer after which the server closed it. */
const lastOnSocket = new WeakMap<object, string>();

function outcomeOf(status: number, headers: IncomingHttpHeaders, body: string, error: string | null): Outcome {
  const setCookies = headers['set-cookie'] ?? [];
  const setsSession = setCookies.some((cookie) => /^sessionid=[^;]+/.test(cookie) && !/max-age=0/i.test(cookie));
  const location = typeof headers.location === 'string' ? headers.location : null;
  return { status, statuses: [status], location, setsSession, error, body, setCookies };
}

export function sendHttp(port: number, spec: HttpSpec, keepBody: boolean, what = ''): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(outcome);
    };
    const failed = (error: string): Outcome => ({ status: null, statuses: [], location: null, setsSession: false, error, body: '', setCookies: [] });
    let outgoing: ClientRequest;
    try {
      // A large header limit, so that an oversized answer is measured rather than refused.
      outgoing = httpRequest({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers: spec.headers, agent: spec.fresh ? false : agent, maxHeaderSize: 1024 * 1024 }, (response) => {
        const headerBytes = response.rawHeaders.reduce((sum, part) => sum + Buffer.byteLength(part) + 2, 20);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          if (keepBody) chunks.push(chunk);
        });
        response.on('end', () => finish({ ...outcomeOf(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString('utf8'), null), headerBytes }));
        response.on('error', (error) => finish(outcomeOf(response.statusCode ?? 0, response.headers, '', error.message)));
        response.on('aborted', () => finish(outcomeOf(response.statusCode ?? 0, response.headers, '', 'aborted')));
      });
    } catch (error) {
      finish(failed(`node:http refused to send it: ${(error as Error).message}`));
      return;
    }
    timer = setTimeout(() => {
      outgoing.destroy();
      finish(failed(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    let previousOnSocket: string | undefined;
    const sentAt = performance.now();
    let connection = 'no connection';
    outgoing.on('socket', (socket) => {
      connection = outgoing.reusedSocket ? 'a kept-alive connection' : 'a new connection';
      previousOnSocket = lastOnSocket.get(socket);
      lastOnSocket.set(socket, what);
      outgoing.on('response', (response) => lastOnSocket.set(socket, `${what} -> ${response.statusCode} (Connection: ${response.headers.connection ?? 'none'})`));
    });
    outgoing.on('error', (error) => finish({ ...failed(`${error.message} (${connection}, after ${(performance.now() - sentAt).toFixed(0)} ms)`), reusedSocket: outgoing.reusedSocket, ...(previousOnSocket !== undefined && { previousOnSocket }) }));
    if (spec.body !== undefined) outgoing.end(spec.body);
    else outgoing.end();
  });
}
