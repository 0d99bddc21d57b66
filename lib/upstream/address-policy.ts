/**
 * Which IP addresses a caller-chosen upstream may connect to. Callers pick custom hosts; a name
 * on the allow-list (`*.example.com`) can still resolve to the gateway's own machine, the VPC or
 * the instance metadata service, so the address is checked when the socket connects (the
 * agent's `lookup`), not only the name when the request arrives: DNS may answer differently
 * between the two (rebinding).
 *
 * Loopback, private, shared (CGNAT), link-local (metadata), multicast, reserved and unspecified
 * ranges are refused unless the allow-list names them as addresses: `loopback` admits 127.0.0.0/8
 * and ::1, an IP literal (`10.0.0.5`, `10.0.0.5:8000`, `[fd00::5]`) admits that address, a CIDR
 * (`10.0.0.0/8`, `fd00::/8`) admits its range. A DNS name or `*` on the list admits names, never
 * these ranges: whoever lists `vllm.internal` and means its 10.x address lists `10.0.0.0/8` too.
 */
import { BlockList, isIP } from 'node:net';

export interface AddressPolicy {
  /** True when `address` (an IP literal) may be connected to. */
  allows(address: string): boolean;
  /** True when the allow-list names `address` as an address (`loopback`, a literal, a range). */
  lists(address: string): boolean;
}

/** Ranges no caller-chosen host reaches unless listed (IANA special-purpose registries). */
const SPECIAL_RANGES: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network": 0.0.0.0 reaches the local machine
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // shared address space (CGNAT; Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local: EC2/ECS/Lambda metadata 169.254.169.254, 169.254.170.2
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments (192.0.0.192 is Oracle's metadata)
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'], // NAT64: embeds any IPv4 address, private ones included
  ['64:ff9b:1::', 48, 'ipv6'],
  ['2002::', 16, 'ipv6'], // 6to4: embeds an IPv4 address
  ['fc00::', 7, 'ipv6'], // unique local: fd00:ec2::254 is EC2's IPv6 metadata
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const VERDICTS_LIMIT = 1024;

/** Built on the first check: a request without a custom host never needs it (~0.5 ms of init). */
let special: BlockList | undefined;
function specialRanges(): BlockList {
  if (special) return special;
  special = new BlockList();
  for (const [network, prefix, type] of SPECIAL_RANGES) special.addSubnet(network, prefix, type);
  return special;
}

/**
 * @param entries the custom-host allow-list (`GATEWAY_ALLOWED_CUSTOM_HOSTS`), lower-cased.
 * @example createAddressPolicy(['*.example.com', '10.1.0.0/16']).allows('10.1.2.3') // true
 * @example createAddressPolicy(['*.example.com']).allows('169.254.169.254') // false
 */
export function createAddressPolicy(entries: readonly string[]): AddressPolicy {
  const listed = new BlockList();
  for (const entry of entries) addListed(listed, entry);
  // An address's verdict never changes for a policy; BlockList builds a SocketAddress per check,
  // which per request was ~1% of the local server's CPU. Bounded: a flood of addresses only empties it.
  const verdicts = new Map<string, boolean>();
  function decide(address: string): boolean {
    const [ip, type] = normalise(address);
    if (type === undefined) return false;
    if (!specialRanges().check(ip, type)) return true;
    return listed.check(ip, type);
  }
  return {
    allows(address) {
      let verdict = verdicts.get(address);
      if (verdict === undefined) {
        verdict = decide(address);
        if (verdicts.size >= VERDICTS_LIMIT) verdicts.clear();
        verdicts.set(address, verdict);
      }
      return verdict;
    },
    lists(address) {
      const [ip, type] = normalise(address);
      return type !== undefined && listed.check(ip, type);
    },
  };
}

/** Adds what an allow-list entry says about addresses; names and `*` say nothing. */
function addListed(listed: BlockList, entry: string): void {
  if (entry === 'loopback') {
    listed.addSubnet('127.0.0.0', 8, 'ipv4');
    listed.addAddress('::1', 'ipv6');
    return;
  }
  const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const [ip, type] = normalise(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (type && prefix <= (type === 'ipv4' ? 32 : 128)) listed.addSubnet(ip, prefix, type);
    return;
  }
  const literal = hostOfEntry(entry);
  const [ip, type] = normalise(literal);
  if (type) listed.addAddress(ip, type);
}

/** `10.0.0.5:8000` → `10.0.0.5`; `[fd00::5]:80` → `fd00::5`; anything else unchanged. */
function hostOfEntry(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1]!;
  const withPort = /^([0-9.]+):\d+$/.exec(entry);
  return withPort ? withPort[1]! : entry;
}

/**
 * The address in the form BlockList checks, its family, or no family for a non-address.
 * IPv4-mapped IPv6 addresses (`::ffff:7f00:1`, as the URL parser writes `[::ffff:127.0.0.1]`)
 * are checked as the IPv4 address they are.
 */
export function normalise(address: string): [string, 'ipv4' | 'ipv6' | undefined] {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return [bare, 'ipv4'];
  if (family !== 6) return [bare, undefined];
  const mapped = /^(?:0{0,4}:){0,5}(?::|0{0,4}:)ffff:(.+)$/i.exec(bare) ?? /^::ffff:(.+)$/i.exec(bare);
  if (mapped) {
    const tail = mapped[1]!;
    if (isIP(tail) === 4) return [tail, 'ipv4'];
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
    if (hex) {
      const high = parseInt(hex[1]!, 16);
      const low = parseInt(hex[2]!, 16);
      return [`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4'];
    }
  }
  return [bare.toLowerCase(), 'ipv6'];
}
