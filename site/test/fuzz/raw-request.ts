// One request written as raw bytes, for what node:http will not send: odd methods, targets, versions, framing, cut-off bodies.
import { ALNUM } from './alphabets.ts';
import type { Fixture } from './fixture.ts';
import { encodePairs, text } from './form-encoding.ts';
import type { Generated } from './generated-request.ts';
import { garbageSegment, nastyValue } from './hostile-values.ts';
import { ROUTES, type CountingKind } from './routes.ts';
import type { Random } from './seeded-random.ts';

export function generateRaw(r: Random, fx: Fixture, index: number): Generated {
  const host = `Host: 127.0.0.1:${fx.port}\r\n`;
  const close = 'Connection: close\r\n';
  const anonCookie = `Cookie: csrftoken=${fx.anon.secret}\r\n`;
  const form = 'Content-Type: application/x-www-form-urlencoded\r\n';
  const target = () => r.pick(ROUTES).path.replace(/:[a-z0-9]+/g, () => garbageSegment(r));
  const variant = r.weighted<() => { what: string; bytes: Buffer; mayDrop: boolean; refusedKind?: CountingKind }>([
    [2, () => ({ what: 'raw: odd method', bytes: Buffer.from(`${r.pick(['G E T', 'GET\0', 'get', 'FOO', 'POST\t', '', 'GETT', 'PRI', 'BREW', '\x7f'])} / HTTP/1.1\r\n${host}${close}\r\n`, 'latin1'), mayDrop: false })],
    [3, () => ({
      what: 'raw: odd request target',
      bytes: Buffer.concat([
        Buffer.from('GET '),
        r.pick([
          Buffer.from(`/articles/${String.fromCharCode(0xc3, 0xbc)}`, 'latin1'), Buffer.from('/a b'), Buffer.from('/\0'), Buffer.from('*'), Buffer.from('http://evil.example/accounts/login'),
          Buffer.from('//evil.example/'), Buffer.from('/\\evil.example/'), Buffer.from(''), Buffer.from('?'), Buffer.from(`/${'a'.repeat(r.int(9000, 40_000))}`), Buffer.from('/%'), Buffer.from(target()),
          Buffer.from('/articles?next=%0d%0aLocation:%20http://evil.example'), Buffer.from([0x2f, 0xff, 0xfe]), Buffer.from('https://127.0.0.1/articles/1'),
        ]),
        Buffer.from(` HTTP/1.1\r\n${host}${close}\r\n`),
      ]),
      mayDrop: false,
    })],
    [2, () => ({ what: 'raw: odd version', bytes: Buffer.from(`GET ${target()} ${r.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.9', 'HTTP/0.9', 'HTTP/1.1 extra', 'HTTP/1', 'HTTPS/1.1', ''])}\r\n${r.chance(0.5) ? host : ''}${close}\r\n`), mayDrop: false })],
    [3, () => ({
      what: 'raw: odd header',
      bytes: Buffer.from(`GET ${target()} HTTP/1.1\r\n${r.chance(0.8) ? host : ''}${close}${r.pick([
        'X-A: a\0b\r\n', 'X-A: a\rb\r\n', 'NoColon\r\n', 'Host : x\r\n', 'X-Fold: a\r\n b\r\n', ' X-Leading: a\r\n', 'X A: b\r\n', `X-Big: ${'b'.repeat(r.int(17_000, 70_000))}\r\n`,
        'Host: a\r\nHost: b\r\n', 'Cookie: sessionid=\0\r\n', `Cookie: ${'sessionid=x; '.repeat(r.int(10, 1500))}\r\n`, 'Cookie: \xff\xfe=\xff\r\n', 'X-Unicode: \xc3\xa9\xe2\x80\xae\r\n',
        Array.from({ length: r.int(100, 2500) }, (_unused, n) => `X-H${n}: v\r\n`).join(''), 'Content-Length: -1\r\n', 'Content-Length: 1e3\r\n', 'Content-Length: 99999999999999999999\r\n',
        'Transfer-Encoding: gzip\r\n', 'Origin: \0\r\n', 'Accept-Language: \xff\xff\r\n',
      ])}\r\n`, 'latin1'),
      mayDrop: false,
    })],
    [3, () => {
      const body = encodePairs([[text('title'), text('x')], [text('content'), nastyValue(r)]]);
      const framing = r.pick([
        `Content-Length: ${body.length}\r\nContent-Length: ${body.length + 3}\r\n`,
        `Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`,
        'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n',
        'Transfer-Encoding: chunked\r\n',
        `Content-Length: ${Math.max(0, body.length - 5)}\r\n`,
        `Content-Length:  ${body.length} \r\n`,
        `Content-Length: +${body.length}\r\n`,
      ]);
      const chunked = framing.includes('chunked') && !framing.includes('Content-Length');
      const payload = chunked
        ? r.pick([
            Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]),
            Buffer.from('zz\r\nabc\r\n0\r\n\r\n'), Buffer.from('ffffffffffffffff\r\nabc\r\n'), Buffer.from('3;ext="\0"\r\nabc\r\n0\r\n\r\n'), Buffer.from('3\r\nabc0\r\n\r\n'), Buffer.from('0\r\nX-Trailer: \0\r\n\r\n'),
          ])
        : body;
      // No token anywhere: the CSRF check must refuse it whatever the framing made of the body.
      return { what: `raw: body framing ${JSON.stringify(framing)}`, bytes: Buffer.concat([Buffer.from(`POST /articles HTTP/1.1\r\n${host}${close}${anonCookie}${form}${framing}\r\n`), payload]), mayDrop: true, refusedKind: 'article-create' };
    }],
    [3, () => {
      // A complete, valid article post, cut off before its body ends: it must never be written.
      const actor = r.pick(fx.actors);
      const body = encodePairs([[text('_csrf'), text(actor.csrf.token)], [text('title'), text(`cut short ${r.string(ALNUM, 4, 8)}`)], [text('content'), text(r.string(ALNUM, 0, 200))]]);
      const declared = body.length + r.int(1, 10_000);
      return {
        what: `raw: truncated body (${body.length} of ${declared} bytes) of an otherwise valid article post`,
        bytes: Buffer.concat([Buffer.from(`POST /articles HTTP/1.1\r\n${host}${close}Cookie: sessionid=${actor.session}; csrftoken=${actor.csrf.secret}\r\n${form}Content-Length: ${declared}\r\n\r\n`), body]),
        mayDrop: true,
        refusedKind: 'article-create',
      };
    }],
    [1, () => ({ what: 'raw: body with raw invalid UTF-8', bytes: (() => {
      const body = Buffer.concat([Buffer.from('title='), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80, 0xc0, 0xaf]), Buffer.from('&_csrf=nope&username='), Buffer.from([0x80, 0x00, 0xe2])]);
      return Buffer.concat([Buffer.from(`POST ${r.pick(['/articles', '/accounts/signup', '/accounts/login', '/lang'])} HTTP/1.1\r\n${host}${close}${anonCookie}${form}Content-Length: ${body.length}\r\n\r\n`), body]);
    })(), mayDrop: false, refusedKind: 'article-create' })],
    [1, () => ({ what: 'raw: expect 100-continue', bytes: Buffer.from(`POST /lang HTTP/1.1\r\n${host}${close}${anonCookie}${form}Expect: ${r.pick(['100-continue', '200-ok', 'x'])}\r\nContent-Length: 7\r\n\r\nlang=ko`), mayDrop: false })],
    [1, () => ({ what: 'raw: upgrade', bytes: Buffer.from(`GET / HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: ${r.pick(['websocket', 'h2c', 'x'])}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`), mayDrop: true })],
    [1, () => ({ what: 'raw: CONNECT / PRI', bytes: Buffer.from(r.pick([`CONNECT 127.0.0.1:${fx.port} HTTP/1.1\r\n${host}\r\n`, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', '\r\n\r\n', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'])), mayDrop: true })],
    [2, () => ({ what: 'raw: pipelined', bytes: Buffer.from(`GET / HTTP/1.1\r\n${host}\r\nPOST /accounts/logout HTTP/1.1\r\n${host}${anonCookie}${form}Content-Length: 0\r\n\r\nGET ${target()} HTTP/1.1\r\n${host}${close}\r\n`), mayDrop: false, refusedKind: 'logout' })],
    [1, () => ({ what: 'raw: HTTP/1.0 keep-alive without Host', bytes: Buffer.from(`GET ${target()} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`), mayDrop: true })],
  ])();
  return { index, what: `#${index} ${variant.what}`, valid: null, request: { kind: 'raw', bytes: variant.bytes, mayDrop: variant.mayDrop }, refusedKind: variant.refusedKind ?? null, csrfPoisoned: true, oversize: false };
}
