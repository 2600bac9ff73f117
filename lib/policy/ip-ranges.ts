import { type IpAddress, parseCidr, parseIp } from "@/lib/egress/address-policy";

/**
 * CIDR matching for a policy's `allowed_ip_ranges`, IPv4 and IPv6, on the egress policy's address
 * parser. An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address, so it matches
 * IPv4 ranges; an IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) likewise matches the plain IPv4
 * address: both are compared as 128 bits, IPv4 in its mapped form. Pure.
 */

/** An address as 128 bits (IPv4 as its IPv4-mapped IPv6 form). */
type Bits = bigint;

const V4_MAPPED = 0xffffn << 32n;
const asBits = (ip: IpAddress): Bits => (ip.family === 4 ? V4_MAPPED | ip.value : ip.value);

/** The address as 128 bits, or null when it is no IP address. Brackets (`[::1]`) are allowed. */
export function parseAddress(text: string): Bits | null {
  const ip = parseIp(text.trim());
  return ip ? asBits(ip) : null;
}

export interface IpRange {
  network: Bits;
  /** Leading bits that must match, out of 128. */
  bits: number;
}

/** A CIDR range (`10.0.0.0/8`, `2001:db8::/32`), or a single address; null when it is neither. */
export function parseRange(text: string): IpRange | null {
  const cidr = parseCidr(text);
  if (!cidr) return null;
  return { network: asBits(cidr), bits: cidr.family === 4 ? cidr.prefix + 96 : cidr.prefix };
}

function within(address: Bits, range: IpRange): boolean {
  if (range.bits === 0) return true;
  const shift = BigInt(128 - range.bits);
  return address >> shift === range.network >> shift;
}

/** Whether the address lies in any of the ranges; an address that cannot be read lies in none. */
export function inRanges(address: string, ranges: readonly string[]): boolean {
  const a = parseAddress(address);
  if (a === null) return false;
  return ranges.some((r) => {
    const range = parseRange(r);
    return range !== null && within(a, range);
  });
}
