// Which client an address stands for, when counting its attempts.
import { isIPv6 } from 'node:net';

/**
 * The address failures and sign-ups are counted under: an IPv4 address as it is, an IPv6
 * address by its /64. One IPv6 host is usually handed a whole /64, so counting single addresses
 * would let it try 2^64 times; an IPv4-mapped IPv6 address (::ffff:192.0.2.1) is its IPv4 one.
 */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  const zoneless = address.split('%')[0]!;
  if (!isIPv6(zoneless)) return address;
  const [head = '', tail = ''] = zoneless.toLowerCase().split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::1.2.3.4) stands for two groups.
  const tailGroups = tailParts.length + (tailParts.at(-1)?.includes('.') ? 1 : 0);
  const missing = 8 - headParts.length - tailGroups;
  const groups = zoneless.includes('::') ? [...headParts, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailParts] : headParts;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
