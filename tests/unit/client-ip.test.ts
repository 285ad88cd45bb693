import { describe, expect, it } from "vitest";
import { addressKey, resolveClientIp } from "../../lib/http/client-ip";

describe("resolveClientIp", () => {
  it("uses the socket's peer unless proxies are trusted", () => {
    expect(resolveClientIp("::ffff:203.0.113.9", "198.51.100.1", 0)).toBe("203.0.113.9");
    expect(resolveClientIp("203.0.113.9", "198.51.100.1", false)).toBe("203.0.113.9");
  });

  it("takes the entry the nearest trusted proxy added (right-most), never a client-written one", () => {
    expect(resolveClientIp("10.0.0.2", "198.51.100.1", 1)).toBe("198.51.100.1");
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 198.51.100.1", 1)).toBe("198.51.100.1");
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 198.51.100.1", true)).toBe("198.51.100.1");
    expect(resolveClientIp("10.0.0.2", ["6.6.6.6", "7.7.7.7, 198.51.100.1"], 1)).toBe("198.51.100.1");
  });

  it("with two trusted hops, passes over the inner proxy's own entry", () => {
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3", 2)).toBe("198.51.100.1");
    // Fewer entries than hops: the farthest one there is.
    expect(resolveClientIp("10.0.0.2", "198.51.100.1", 2)).toBe("198.51.100.1");
  });

  it("falls back to the socket's peer when the header is missing or its entry is not an address", () => {
    expect(resolveClientIp("10.0.0.2", undefined, 1)).toBe("10.0.0.2");
    expect(resolveClientIp("10.0.0.2", "", 1)).toBe("10.0.0.2");
    expect(resolveClientIp("10.0.0.2", "1.2.3.4, not-an-ip", 1)).toBe("10.0.0.2");
    expect(resolveClientIp("10.0.0.2", "2001:db8::1", 1)).toBe("2001:db8::1");
  });
});

describe("addressKey: what per-address limits count under", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["::ffff:cb00:7109", "203.0.113.9"],
    // Every address of one /64 is one client (attack-web F11: 2^64 fresh allowances otherwise).
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:db8:1:3::1", "2001:db8:1:3::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::203.0.113.9", "64:ff9b:0:0::/64"],
    // Not an address: its own key; a key is its own key.
    ["unknown", "unknown"],
    ["2001:db8:1:2::/64", "2001:db8:1:2::/64"],
  ])("%s counts as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
