// The answer to a request Node's HTTP parser could not read at all (a broken request line,
// headers over 16 KiB, a timeout): no route, no hooks, only the socket.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { securityHeaders } from './security-headers.ts';

/**
 * Fastify's own answer sends a JSON body even to a HEAD and leaves a keep-alive client writing
 * its next request into a closing socket. This one has no body (right for every method, since
 * the method may be what could not be read), says `Connection: close`, and carries the site's
 * security headers like every other answer.
 */
export function clientErrorHandler(options: { production: boolean }): (error: Error & { code?: string }, socket: Socket) => void {
  const headers = Object.entries({ ...securityHeaders(options), 'Content-Length': '0', Connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (error, socket) => {
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n`);
    else socket.destroy();
  };
}
