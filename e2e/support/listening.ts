import { readFileSync } from "node:fs";

const LISTEN = "0A";

/** IPv4 in /proc/net/tcp is one little-endian word; IPv6 in tcp6 is four. */
function procAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/.{2}/g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join(".");
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(":");
}

/** Every local address a socket listens on for this port, from the kernel's own tables. */
export function listeningAddresses(port: number): string[] {
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[3] === LISTEN && parseInt(cols[1]?.split(":")[1] ?? "", 16) === port)
      .map((cols) => procAddress(cols[1]?.split(":")[0] ?? "")),
  );
}
