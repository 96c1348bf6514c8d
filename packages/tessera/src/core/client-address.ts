// Which client an address stands for, when counting its attempts.
import { isIPv4, isIPv6 } from 'node:net';

/** What every address that cannot be read is counted under: one shared limit, not one each. */
const unreadable = 'unreadable';

/** The eight 16-bit groups of an IPv6 address (already checked by isIPv6). */
function groupsOf(address: string): number[] {
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const parts = (text: string) =>
    text === ''
      ? []
      : text.split(':').flatMap((part) => {
          if (!part.includes('.')) return [Number.parseInt(part, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const first = parts(head);
  const last = parts(tail);
  return address.includes('::') ? [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last] : first;
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The address failures and sign-ups are counted under: an IPv4 address as it is, an IPv6
 * address by its /64 (one host is usually handed a whole /64, so counting single addresses
 * would let it try 2^64 times). An IPv4-mapped address (::ffff:0:0/96, in any spelling) and a
 * NAT64 one (64:ff9b::/96) are their IPv4 client. A port, brackets or a zone id are dropped;
 * whatever still cannot be read shares one bucket, so it cannot mint fresh limits.
 */
export function addressBucket(raw: string): string {
  let address = raw.trim();
  address = /^\[([^\]]+)\](?::\d+)?$/.exec(address)?.[1] ?? address;
  address = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address)?.[1] ?? address;
  address = address.split('%')[0]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return unreadable;
  const groups = groupsOf(address);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (mapped || nat64) return ipv4Of(groups[6]!, groups[7]!);
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}
