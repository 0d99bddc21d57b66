import { describe, expect, it } from 'vitest';
import { createAddressPolicy } from './address-policy.ts';

describe('createAddressPolicy', () => {
  const namesOnly = createAddressPolicy(['*.example.com', 'vllm.internal', '*']);

  it.each([
    '127.0.0.1', '127.8.9.10', '::1', '0.0.0.0', '::', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '100.100.100.200',
    '169.254.169.254', '169.254.170.2', 'fd00:ec2::254', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::ffff:a9fe:a9fe]',
    '64:ff9b::a9fe:a9fe', '224.0.0.1', '255.255.255.255', 'not-an-address',
  ])('refuses %s when the list names no addresses', (address) => {
    expect(namesOnly.allows(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '[2a00:1450::1]'])('allows the public address %s', (address) => {
    expect(namesOnly.allows(address)).toBe(true);
  });

  it.each([
    [['loopback'], '127.0.0.2', true],
    [['loopback'], '::1', true],
    [['loopback'], '10.0.0.1', false],
    [['10.0.0.0/8'], '10.200.0.1', true],
    [['10.0.0.0/8'], '169.254.169.254', false],
    [['10.0.0.5:8000'], '10.0.0.5', true],
    [['10.0.0.5:8000'], '10.0.0.6', false],
    [['[fd00::5]'], 'fd00::5', true],
    [['fd00::/8'], 'fd12::1', true],
  ])('with %j, %s is allowed: %s', (entries, address, allowed) => {
    expect(createAddressPolicy(entries).allows(address)).toBe(allowed);
  });

  it('keeps the verdicts of each policy its own, however often an address is asked about', () => {
    const names = createAddressPolicy(['*']);
    const loopback = createAddressPolicy(['loopback']);
    for (let round = 0; round < 3; round++) {
      expect(names.allows('127.0.0.1')).toBe(false);
      expect(loopback.allows('127.0.0.1')).toBe(true);
      expect(loopback.allows('10.0.0.1')).toBe(false);
    }
  });
});
