// Which bucket an address is counted in: IPv4 as it is, IPv6 by its /64, mapped forms as IPv4.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressBucket } from '../../src/core/client-address.ts';

test('an IPv4 address is its own bucket, with or without a port', () => {
  assert.equal(addressBucket('192.0.2.1'), '192.0.2.1');
  assert.equal(addressBucket('192.0.2.1:5678'), '192.0.2.1');
});

test('IPv6 addresses are counted by their /64, however they are spelled', () => {
  for (const spelling of ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::1', '2001:0DB8:0001:0002:ffff::', '[2001:db8:1:2::9]:443', 'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::1')]) {
    assert.equal(addressBucket(spelling), '2001:db8:1:2::/64', spelling);
  }
  assert.equal(addressBucket('2001:db8:1:3::1'), '2001:db8:1:3::/64');
  assert.equal(addressBucket('1::2:3:4:5:1.2.3.4'), '1:0:2:3::/64', 'an embedded IPv4 tail is two groups');
});

test('IPv4-mapped and NAT64 addresses, in any spelling, are their IPv4 client', () => {
  for (const spelling of ['::ffff:192.0.2.1', '::ffff:c000:201', '0:0:0:0:0:ffff:192.0.2.1', '::FFFF:192.0.2.1%lo', '64:ff9b::192.0.2.1', '64:ff9b::c000:201']) {
    assert.equal(addressBucket(spelling), '192.0.2.1', spelling);
  }
  assert.notEqual(addressBucket('::ffff:192.0.2.1'), addressBucket('::1'), 'a mapped client is not the loopback');
});

test('whatever cannot be read shares one bucket, so it cannot mint a fresh limit per spelling', () => {
  assert.equal(addressBucket('garbage'), addressBucket('more garbage'));
  assert.equal(addressBucket('999.1.1.1'), addressBucket(''));
});
