import { describe, expect, it } from "vitest";
import { type Cidr, parseCidr, parseIp, refusalOf, refusalOfHost } from "./address-policy";

const cidrs = (...texts: string[]): Cidr[] =>
  texts.map((t) => {
    const c = parseCidr(t);
    if (!c) throw new Error(`bad test range ${t}`);
    return c;
  });
const closed = { allow: [] };

describe("refusalOf", () => {
  it.each([
    ["127.0.0.1", "a loopback address"],
    ["127.255.255.254", "a loopback address"],
    ["0.0.0.0", "a “this network” (0.0.0.0/8) address"],
    ["10.1.2.3", "a private (RFC 1918) address"],
    ["172.16.0.1", "a private (RFC 1918) address"],
    ["172.31.255.255", "a private (RFC 1918) address"],
    ["192.168.1.1", "a private (RFC 1918) address"],
    ["169.254.169.254", "a link-local (where cloud metadata services answer) address"],
    ["100.64.0.1", "a shared carrier-grade NAT (100.64.0.0/10) address"],
    ["100.127.255.255", "a shared carrier-grade NAT (100.64.0.0/10) address"],
    ["192.0.2.10", "a documentation address"],
    ["198.18.0.1", "a benchmarking address"],
    ["224.0.0.251", "a multicast address"],
    ["239.255.255.250", "a multicast address"],
    ["255.255.255.255", "a reserved or broadcast address"],
    ["::", "an unspecified address"],
    ["::1", "a loopback address"],
    ["[::1]", "a loopback address"],
    ["0:0:0:0:0:0:0:1", "a loopback address"],
    ["::ffff:127.0.0.1", "a loopback address"],
    ["::ffff:7f00:1", "a loopback address"],
    ["::ffff:169.254.169.254", "a link-local (where cloud metadata services answer) address"],
    ["::127.0.0.1", "an IPv4-compatible (deprecated) address"],
    ["fc00::1", "a unique local (private) address"],
    ["fd12:3456:789a::1", "a unique local (private) address"],
    ["fe80::1", "a link-local address"],
    ["fe80::1%eth0", "a link-local address"],
    ["febf:ffff::1", "a link-local address"],
    ["fec0::1", "a site-local (deprecated) address"],
    ["ff02::1", "a multicast address"],
    ["64:ff9b::a9fe:a9fe", "a NAT64 address carrying 169.254.169.254, a link-local (where cloud metadata services answer) address"],
    ["64:ff9b::10.0.0.1", "a NAT64 address carrying 10.0.0.1, a private (RFC 1918) address"],
    ["2002:7f00:1::1", "a 6to4 address carrying 127.0.0.1, a loopback address"],
    ["2001::1", "an IETF protocol assignment (Teredo and others) address"],
    ["2001:db8::1", "a documentation address"],
    ["100:0:0:1::5", "a dummy (RFC 9780) address"],
    ["3fff::1", "a documentation address"],
    ["3fff:fff:ffff::1", "a documentation address"],
    ["5f00::1", "a segment routing (SRv6) SID address"],
    ["5f00:ffff::1", "a segment routing (SRv6) SID address"],
  ])("refuses %s: %s", (address, kind) => {
    expect(refusalOf(address, closed)).toBe(kind);
  });

  it.each([
    "93.184.215.14",
    "8.8.8.8",
    "172.32.0.1",
    "172.15.255.255",
    "100.128.0.1",
    "169.255.0.1",
    "192.169.0.1",
    "223.255.255.255",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "fe00::1",
  ])("lets %s through: a public address", (address) => {
    expect(refusalOf(address, closed)).toBeNull();
  });

  it("lets through exactly the ranges an operator allowed, mapped and NAT64 forms of them included", () => {
    const policy = { allow: cidrs("127.0.0.1/32", "10.20.0.0/16", "fd00:1::/32") };
    expect(refusalOf("127.0.0.1", policy)).toBeNull();
    expect(refusalOf("::ffff:127.0.0.1", policy)).toBeNull();
    expect(refusalOf("127.0.0.2", policy)).toBe("a loopback address");
    expect(refusalOf("::1", policy)).toBe("a loopback address");
    expect(refusalOf("10.20.255.1", policy)).toBeNull();
    expect(refusalOf("64:ff9b::a14:1", policy)).toBeNull();
    expect(refusalOf("10.21.0.1", policy)).toBe("a private (RFC 1918) address");
    expect(refusalOf("fd00:1:ffff::1", policy)).toBeNull();
    expect(refusalOf("fd00:2::1", policy)).toBe("a unique local (private) address");
    expect(refusalOf("169.254.169.254", policy)).not.toBeNull();
  });

  it("refuses the IPv6 documentation range 3fff::/20 and SRv6 SIDs 5f00::/16 up to their prefix only", () => {
    expect(refusalOf("3fff:0fff:ffff::1", closed)).toBe("a documentation address");
    expect(refusalOf("3fff:1000::1", closed)).toBeNull();
    expect(refusalOf("5f00:ffff:ffff::1", closed)).toBe("a segment routing (SRv6) SID address");
    expect(refusalOf("5f01::1", closed)).toBeNull();
  });

  it("refuses what is not an IP address", () => {
    expect(refusalOf("localhost", closed)).toBe("not an IP address");
    expect(refusalOf("1.2.3", closed)).toBe("not an IP address");
  });
});

describe("refusalOfHost", () => {
  it("refuses a name when any one of its addresses is refused, naming that address", () => {
    const policy = { allow: cidrs("127.0.0.1/32") };
    expect(refusalOfHost("localhost", ["127.0.0.1"], policy)).toBeNull();
    expect(refusalOfHost("localhost", ["127.0.0.1", "::1"], policy)).toBe("localhost resolves to ::1, a loopback address");
    expect(refusalOfHost("hooks.example.com", ["93.184.215.14", "10.0.0.7"], closed)).toBe(
      "hooks.example.com resolves to 10.0.0.7, a private (RFC 1918) address",
    );
    expect(refusalOfHost("169.254.169.254", ["169.254.169.254"], closed)).toBe(
      "169.254.169.254 is a link-local (where cloud metadata services answer) address",
    );
    expect(refusalOfHost("nowhere.example", [], closed)).toBe("nowhere.example resolves to no address");
    expect(refusalOfHost("hooks.example.com", ["93.184.215.14", "2606:4700::1111"], closed)).toBeNull();
  });
});

describe("parseCidr and parseIp", () => {
  it("reads ranges and single addresses, and refuses anything else", () => {
    expect(parseCidr("10.0.0.0/8")).toMatchObject({ family: 4, prefix: 8, value: 0x0a000000n });
    expect(parseCidr(" 127.0.0.1 ")).toMatchObject({ family: 4, prefix: 32, text: "127.0.0.1" });
    expect(parseCidr("10.9.9.9/8")).toMatchObject({ value: 0x0a000000n });
    expect(parseCidr("fd00::/8")).toMatchObject({ family: 6, prefix: 8 });
    expect(parseCidr("::1")).toMatchObject({ family: 6, prefix: 128, value: 1n });
    for (const bad of ["", "10.0.0.0/33", "::/129", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/x", "example.com/24", "fe80::1%eth0/64", "10.0.0/8"]) {
      expect(parseCidr(bad)).toBeNull();
    }
    expect(parseIp("1::")).toEqual({ family: 6, value: 1n << 112n });
    expect(parseIp("::ffff:1.2.3.4")).toEqual({ family: 6, value: (0xffffn << 32n) | 0x01020304n });
    expect(parseIp("2001:db8:0:0:0:0:2:1")).toEqual(parseIp("2001:db8::2:1"));
  });
});
