// Form bodies byte by byte: values are kept already encoded, so that they can hold bytes no browser would send.

/** Percent-encodes text as a browser encodes a form (UTF-8; a lone surrogate becomes U+FFFD). */
export function formEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9*\-._]/.test(char) ? char : byte === 0x20 ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A field value as it goes on the wire: already encoded, so it may hold bytes no encoder makes. */
export type Wire = Buffer;
export const text = (value: string): Wire => Buffer.from(formEncode(value), 'latin1');
export const verbatim = (value: string | Buffer): Wire => (typeof value === 'string' ? Buffer.from(value, 'latin1') : value);

export type Pair = [Wire, Wire | null];

export function encodePairs(pairs: readonly Pair[]): Buffer {
  const parts: Buffer[] = [];
  pairs.forEach(([key, value], index) => {
    if (index > 0) parts.push(Buffer.from('&'));
    parts.push(key);
    if (value !== null) parts.push(Buffer.from('='), value);
  });
  return Buffer.concat(parts);
}

/** The text an encoded value stands for, as far as it decodes (for JSON and multipart bodies). */
export function decodeLoosely(wire: Wire): string {
  try {
    return decodeURIComponent(wire.toString('latin1').replace(/\+/g, ' '));
  } catch {
    return wire.toString('latin1');
  }
}
