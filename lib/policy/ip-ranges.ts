/**
 * CIDR matching for a policy's `allowed_ip_ranges`, IPv4 and IPv6. An IPv4 address written as
 * IPv6 (`::ffff:10.0.0.1`) is the IPv4 address, so it matches IPv4 ranges; an IPv4-mapped IPv6
 * range (`::ffff:10.0.0.0/104`) likewise matches the plain IPv4 address. Pure.
 */

/** An address as 128 bits (IPv4 as its IPv4-mapped IPv6 form). */
type Bits = bigint;

const V4_MAPPED = 0xffffn << 32n;

function parseV4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | null {
  const zone = text.indexOf("%");
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  const halves = bare.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? "";
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseV4(part);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) out.push(Number.parseInt(part, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  let value = 0n;
  for (const g of [...head, ...Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(g);
  return value;
}

/** The address as 128 bits, or null when it is no IP address. Brackets (`[::1]`) are allowed. */
export function parseAddress(text: string): Bits | null {
  const t = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (t.includes(":")) return parseV6(t);
  const v4 = parseV4(t);
  return v4 === null ? null : V4_MAPPED | v4;
}

export interface IpRange {
  network: Bits;
  /** Leading bits that must match, out of 128. */
  bits: number;
}

/** A CIDR range (`10.0.0.0/8`, `2001:db8::/32`), or a single address; null when it is neither. */
export function parseRange(text: string): IpRange | null {
  const slash = text.lastIndexOf("/");
  const addressText = slash >= 0 ? text.slice(0, slash) : text;
  const network = parseAddress(addressText);
  if (network === null) return null;
  const isV4 = !addressText.includes(":");
  const max = isV4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  return { network, bits: isV4 ? prefix + 96 : prefix };
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
