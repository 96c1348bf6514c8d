// The single guard for every redirect target on the site (`next`, Referer): only local paths pass.

/** Longer targets are refused: no legitimate in-site path needs more, and it bounds the work below. */
const MAX_LENGTH = 2048;

// Browsers silently drop tabs and newlines inside URLs and trim leading C0/space, so any of these
// can turn an innocent-looking path into `//host`. C1 controls and Unicode spaces (\s covers NBSP,
// U+2028/9, U+FEFF, ...) have no business in a path we emit either.
const FORBIDDEN_RAW = /[\u0000-\u001F\u007F-\u009F\s\\]/u;

// After percent-decoding only ASCII controls are refused: bytes 0x80-0x9F are ordinary UTF-8
// continuation bytes (`%E0%A4%9D`), and an encoded space is a legitimate path character.
const FORBIDDEN_DECODED = /[\u0000-\u001F\u007F]/;

// A decoded path that opens with `/`, optional junk, then `/` or `\` could become scheme-relative
// in any layer that decodes before it resolves (proxies, frameworks, a later redirect).
const DECODED_AUTHORITY = /^\/[\u0000-\u0020\u007F]*[/\\]/;

const PROBE_BASE = 'http://x.invalid';
const PROBE_HOST = 'x.invalid';

/**
 * Byte-wise percent-decoding that never throws: malformed UTF-8 must be inspected, not trusted to
 * an exception path. Non-ASCII bytes decode to Latin-1 stand-ins, which is enough to find ASCII
 * tricks.
 */
function percentDecode(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/**
 * Final word goes to the WHATWG parser browsers use. A path that dot-segments down to `//...` is
 * refused too, so nothing that re-serialises the pathname can make it scheme-relative.
 */
function staysLocal(path: string): boolean {
  let url: URL;
  try {
    url = new URL(path, PROBE_BASE);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || url.host !== PROBE_HOST) return false;
  if (url.username !== '' || url.password !== '') return false;
  return !url.pathname.startsWith('//');
}

/** true when `target` is a path on this site: starts with exactly one '/', no scheme, no host, no backslash, no control chars or whitespace tricks */
export function isSafeRedirect(target: unknown): target is string {
  if (typeof target !== 'string') return false;
  if (target.length === 0 || target.length > MAX_LENGTH) return false;
  if (target[0] !== '/') return false;
  if (target[1] === '/' || target[1] === '\\') return false;
  if (FORBIDDEN_RAW.test(target)) return false;

  // Decode repeatedly so double encoding (`%252F`) cannot hide a second slash; a target that is
  // still changing after a few rounds is nothing a real page would link to. Each decoded form must
  // also stay local, for layers that decode before resolving dot segments (`/./%2F/evil.com`).
  let decoded = target;
  for (let round = 0; ; round++) {
    if (DECODED_AUTHORITY.test(decoded) || FORBIDDEN_DECODED.test(decoded)) return false;
    if (!staysLocal(decoded)) return false;
    const next = percentDecode(decoded);
    if (next === decoded) break;
    if (round >= 4) return false;
    decoded = next;
  }
  return true;
}

/** target when safe, else fallback (default '/') */
export function safeRedirect(target: unknown, fallback = '/'): string {
  return isSafeRedirect(target) ? target : fallback;
}

/** the path+query of a Referer header when it is this site's own (same host as `host`) and the path is safe; else null */
export function refererPath(referer: string | undefined, host: string | undefined): string | null {
  if (!referer || !host) return null;
  if (referer.length > MAX_LENGTH * 2) return null;

  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // Browsers never send credentials in a Referer; one that has them was forged.
  if (url.username !== '' || url.password !== '') return null;

  // Parse the Host header with the Referer's scheme so `example.com:443` and `example.com`
  // compare equal the way the URL parser already normalised the Referer's own host.
  let ownHost: string;
  try {
    const own = new URL(`${url.protocol}//${host}`);
    if (own.username !== '' || own.password !== '' || own.pathname !== '/' || own.search !== '') return null;
    ownHost = own.host;
  } catch {
    return null;
  }
  if (url.host !== ownHost) return null;

  const path = url.pathname + url.search;
  return isSafeRedirect(path) ? path : null;
}
