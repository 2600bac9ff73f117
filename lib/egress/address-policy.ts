import { isIP } from "node:net";

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr extends IpAddress {
  prefix: number;
  /** As written, for messages. */
  text: string;
}

/** Which addresses the console may send webhooks to: every public one, and the private ranges the operator allowed. */
export interface EgressPolicy {
  allow: readonly Cidr[];
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint {
  return text.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function parseIpv6(text: string): bigint | null {
  let s = text;
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIpv4(last);
    s = `${s.slice(0, lastColon + 1)}${((v4 >> 16n) & 0xffffn).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An IPv4 or IPv6 address (brackets and a zone such as %eth0 allowed), or null. */
export function parseIp(text: string): IpAddress | null {
  const bare = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  switch (isIP(bare)) {
    case 4:
      return { family: 4, value: parseIpv4(bare) };
    case 6: {
      const value = parseIpv6(bare);
      return value === null ? null : { family: 6, value };
    }
    default:
      return null;
  }
}

/** "10.0.0.0/8", "fd00::/8", or one address ("127.0.0.1" is 127.0.0.1/32); null when it is none of these. */
export function parseCidr(text: string): Cidr | null {
  const trimmed = text.trim();
  const [address = "", prefixText, extra] = trimmed.split("/");
  if (extra !== undefined) return null;
  const ip = parseIp(address);
  if (!ip || address.includes("%")) return null;
  const bits = BITS[ip.family];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  return { ...ip, value: ip.value & mask(ip.family, prefix), prefix, text: trimmed };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

function contains(cidr: { family: 4 | 6; value: bigint; prefix: number }, ip: IpAddress): boolean {
  return cidr.family === ip.family && (ip.value & mask(ip.family, cidr.prefix)) === cidr.value;
}

function range(text: string, kind: string, embedsIpv4?: (value: bigint) => bigint) {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`bad built-in range ${text}`);
  return { cidr, kind, embedsIpv4 };
}

const IPV4_MAPPED = range("::ffff:0:0/96", "an IPv4-mapped");

// IANA's special-purpose registries: nothing here is a public webhook receiver. The more specific first.
const REFUSED = [
  range("0.0.0.0/8", "a “this network” (0.0.0.0/8)"),
  range("10.0.0.0/8", "a private (RFC 1918)"),
  range("100.64.0.0/10", "a shared carrier-grade NAT (100.64.0.0/10)"),
  range("127.0.0.0/8", "a loopback"),
  range("169.254.0.0/16", "a link-local (where cloud metadata services answer)"),
  range("172.16.0.0/12", "a private (RFC 1918)"),
  range("192.0.0.0/24", "an IETF protocol assignment"),
  range("192.0.2.0/24", "a documentation"),
  range("192.88.99.0/24", "a 6to4 relay anycast"),
  range("192.168.0.0/16", "a private (RFC 1918)"),
  range("198.18.0.0/15", "a benchmarking"),
  range("198.51.100.0/24", "a documentation"),
  range("203.0.113.0/24", "a documentation"),
  range("224.0.0.0/4", "a multicast"),
  range("240.0.0.0/4", "a reserved or broadcast"),
  range("::/128", "an unspecified"),
  range("::1/128", "a loopback"),
  range("::/96", "an IPv4-compatible (deprecated)"),
  range("::ffff:0:0:0/96", "an IPv4-translated"),
  range("64:ff9b::/96", "a NAT64", (v) => v & 0xffffffffn),
  range("64:ff9b:1::/48", "a local-use NAT64"),
  range("100::/64", "a discard-only"),
  range("100:0:0:1::/64", "a dummy (RFC 9780)"),
  range("2001:db8::/32", "a documentation"),
  range("2001::/23", "an IETF protocol assignment (Teredo and others)"),
  range("2002::/16", "a 6to4", (v) => (v >> 80n) & 0xffffffffn),
  range("3fff::/20", "a documentation"),
  range("5f00::/16", "a segment routing (SRv6) SID"),
  range("fc00::/7", "a unique local (private)"),
  range("fe80::/10", "a link-local"),
  range("fec0::/10", "a site-local (deprecated)"),
  range("ff00::/8", "a multicast"),
];

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/** "a loopback address", "an unspecified address", or how an address inside IPv6 breaks the policy; null when allowed. */
function refusedKind(ip: IpAddress, policy: EgressPolicy): string | null {
  if (policy.allow.some((cidr) => contains(cidr, ip))) return null;
  const refused = REFUSED.find((r) => contains(r.cidr, ip));
  if (!refused) return null;
  if (!refused.embedsIpv4) return `${refused.kind} address`;
  const inner = { family: 4, value: refused.embedsIpv4(ip.value) } as const;
  const why = refusedKind(inner, policy);
  return why === null ? null : `${refused.kind} address carrying ${formatIpv4(inner.value)}, ${why}`;
}

/**
 * Why the console must not send to this address ("a loopback address"), or null when it may: any
 * address in an allowed range may be reached; otherwise loopback, private, link-local, multicast and
 * the other special-purpose ranges are refused, IPv4 inside IPv6 (mapped, NAT64, 6to4) judged as the
 * IPv4 address it carries. Something that is not an IP address is refused.
 */
export function refusalOf(address: string, policy: EgressPolicy): string | null {
  const parsed = parseIp(address);
  if (!parsed) return "not an IP address";
  const ip: IpAddress = contains(IPV4_MAPPED.cidr, parsed) ? { family: 4, value: parsed.value & 0xffffffffn } : parsed;
  return refusedKind(ip, policy);
}

/** Why the console must not send to a host that is, or whose name resolves to, these addresses; null when every one is allowed. */
export function refusalOfHost(host: string, addresses: readonly string[], policy: EgressPolicy): string | null {
  if (addresses.length === 0) return `${host} resolves to no address`;
  for (const address of addresses) {
    const why = refusalOf(address, policy);
    if (why !== null) return address === host ? `${host} is ${why}` : `${host} resolves to ${address}, ${why}`;
  }
  return null;
}
