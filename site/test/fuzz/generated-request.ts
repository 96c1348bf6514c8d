// A request as the generator made it: a valid flow to carry out, or hostile bytes and what they must not achieve.
import type { OutgoingHttpHeaders } from 'node:http';
import type { CountingKind } from './routes.ts';

export type Valid =
  | { flow: 'signup'; username: string; withNext: boolean }
  | { flow: 'login'; username: string; rememberMe: boolean; logOut: boolean }
  | { flow: 'article'; actor: number; title: string; content: string };

export interface HttpSpec {
  kind: 'http';
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | undefined;
  fresh: boolean;
}

export interface RawSpec {
  kind: 'raw';
  bytes: Buffer;
  /** the request is incomplete or not HTTP/1: no answer at all is acceptable */
  mayDrop: boolean;
}

export interface Generated {
  index: number;
  what: string;
  valid: Valid | null;
  request: HttpSpec | RawSpec | null;
  /** set when the request could reach a counting route: the answer that would mean it worked */
  refusedKind: CountingKind | null;
  csrfPoisoned: boolean;
  oversize: boolean;
  /** the field poison, when the request carries one */
  poison?: string;
}
