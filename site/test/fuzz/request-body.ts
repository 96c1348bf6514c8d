// The body of a hostile request: its fields rendered as a form, JSON, multipart, plain text or worse.
import { ALNUM } from './alphabets.ts';
import { decodeLoosely, encodePairs, type Pair } from './form-encoding.ts';
import type { Random } from './seeded-random.ts';

export interface BodyPlan {
  pairs: Pair[];
  shape: 'form' | 'json' | 'multipart' | 'text' | 'degenerate' | 'many-keys';
}

export function renderBody(r: Random, plan: BodyPlan): { body: Buffer; contentType: string } {
  switch (plan.shape) {
    case 'form':
      return { body: encodePairs(plan.pairs), contentType: 'application/x-www-form-urlencoded' };
    case 'many-keys': {
      const filler = Buffer.from(`${r.pick(['a=1', 'a', 'a[]=1', '__proto__=1', 'x=%FF'])}&`.repeat(r.int(2_000, 60_000)));
      return { body: Buffer.concat([encodePairs(plan.pairs), Buffer.from('&'), filler]), contentType: 'application/x-www-form-urlencoded' };
    }
    case 'degenerate':
      return { body: Buffer.from(r.pick(['&&&', '=', '==&==', '&=&', '%', '+', '&a', 'a=%', '=%00', '\0', ';;;', 'a=1;b=2', '\r\n\r\n'])), contentType: 'application/x-www-form-urlencoded' };
    case 'json': {
      const object: Record<string, string> = {};
      for (const [key, value] of plan.pairs) object[decodeLoosely(key)] = value === null ? '' : decodeLoosely(value);
      return { body: Buffer.from(r.chance(0.8) ? JSON.stringify(object) : '{"a":'), contentType: 'application/json' };
    }
    case 'multipart': {
      const boundary = `----fuzz${r.string(ALNUM, 4, 16)}`;
      const parts = plan.pairs.map(([key, value]) => Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${decodeLoosely(key).replace(/["\r\n]/g, '')}"\r\n\r\n`),
        Buffer.from(value === null ? '' : decodeLoosely(value)),
        Buffer.from('\r\n'),
      ]));
      const end = Buffer.from(r.chance(0.8) ? `--${boundary}--\r\n` : '--');
      return { body: Buffer.concat([...parts, end]), contentType: `multipart/form-data; boundary=${boundary}` };
    }
    case 'text':
      return { body: Buffer.from(plan.pairs.map(([key, value]) => `${decodeLoosely(key)}=${value === null ? '' : decodeLoosely(value)}`).join('\n')), contentType: 'text/plain' };
  }
}

/** What a body may claim to be, whatever it holds. */
export const CONTENT_TYPES = [
  'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=latin1', 'application/x-www-form-urlencoded; charset=utf-16',
  'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded, text/plain', 'multipart/form-data', 'application/json', 'text/plain', 'garbage',
  '', 'application/x-www-form-urlencoded;', 'application/xml', 'application/octet-stream', '*/*',
];
