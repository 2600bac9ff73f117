import { describe, expect, it } from "vitest";
import { inRanges, parseAddress, parseRange } from "./ip-ranges";
import { agentPolicySchema } from "./policy";

describe("inRanges", () => {
  it("matches IPv4 addresses against IPv4 ranges, at the prefix's bit", () => {
    expect(inRanges("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(inRanges("11.0.0.1", ["10.0.0.0/8"])).toBe(false);
    expect(inRanges("192.168.1.130", ["192.168.1.128/25"])).toBe(true);
    expect(inRanges("192.168.1.127", ["192.168.1.128/25"])).toBe(false);
    expect(inRanges("203.0.113.7", ["203.0.113.7/32"])).toBe(true);
    expect(inRanges("203.0.113.8", ["203.0.113.7/32"])).toBe(false);
    expect(inRanges("8.8.8.8", ["0.0.0.0/0"])).toBe(true);
    // Host bits set in the range are ignored, as the network is meant.
    expect(inRanges("10.9.9.9", ["10.1.2.3/8"])).toBe(true);
  });

  it("matches IPv6 addresses against IPv6 ranges, compressed or not", () => {
    expect(inRanges("2001:db8::1", ["2001:db8::/32"])).toBe(true);
    expect(inRanges("2001:0db8:0000:0000:0000:0000:0000:0001", ["2001:db8::/32"])).toBe(true);
    expect(inRanges("2001:db9::1", ["2001:db8::/32"])).toBe(false);
    expect(inRanges("[::1]", ["::1/128"])).toBe(true);
    expect(inRanges("fe80::1%eth0", ["fe80::/10"])).toBe(true);
    expect(inRanges("::2", ["::1/128"])).toBe(false);
  });

  it("treats an IPv4-mapped IPv6 address as its IPv4 address, both ways", () => {
    expect(inRanges("::ffff:10.0.0.1", ["10.0.0.0/8"])).toBe(true);
    expect(inRanges("::FFFF:10.0.0.1", ["10.0.0.0/8"])).toBe(true);
    expect(inRanges("::ffff:a00:1", ["10.0.0.0/8"])).toBe(true);
    expect(inRanges("::ffff:11.0.0.1", ["10.0.0.0/8"])).toBe(false);
    expect(inRanges("10.0.0.1", ["::ffff:10.0.0.0/104"])).toBe(true);
    expect(inRanges("11.0.0.1", ["::ffff:10.0.0.0/104"])).toBe(false);
    // An IPv4 range does not take in IPv6 addresses that merely share bits.
    expect(inRanges("::a00:1", ["10.0.0.0/8"])).toBe(false);
  });

  it("matches no range for what is not an address, however hostile", () => {
    for (const bad of [
      "",
      "unknown",
      "10.0.0",
      "10.0.0.256",
      "1.2.3.4.5",
      "10.0.0.1\u0000",
      "::ffff:10.0.0.1/8",
      "1::2::3",
      "<script>",
      "10.0.0.1; rm -rf /",
      "%00",
    ]) {
      expect(inRanges(bad, ["0.0.0.0/0", "::/0"]), bad).toBe(false);
    }
    expect(parseAddress("1:2:3:4:5:6:7:8:9")).toBeNull();
    expect(parseRange("10.0.0.0/33")).toBeNull();
    expect(parseRange("2001:db8::/129")).toBeNull();
    expect(inRanges("10.0.0.1", ["not a range", "10.0.0.0/8"])).toBe(true);
  });

  it("reads every range the policy's validation accepts", () => {
    const ranges = ["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "::1/128", "fe80::/10", "0.0.0.0/0"];
    const parsed = agentPolicySchema.parse({ permissions: [], allowed_ip_ranges: ranges });
    expect(parsed.allowed_ip_ranges.map((r) => parseRange(r) !== null)).toEqual(ranges.map(() => true));
  });
});
