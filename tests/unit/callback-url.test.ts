import { describe, expect, it } from "vitest";
import { safeAbsoluteCallbackUrl, safeCallbackUrl } from "../../lib/auth/callback-url";
import { HOSTILE_CALLBACK_URLS } from "../support/hostile-callbacks";

const ORIGIN = "https://ide.example.org";
const HTTP_ORIGIN = "http://127.0.0.1:8080";

describe("safeCallbackUrl", () => {
  it.each(HOSTILE_CALLBACK_URLS)("refuses %j (back to /)", (value) => {
    // On an http origin every one of them names another origin, so all fall back to /.
    expect(safeCallbackUrl(value, HTTP_ORIGIN)).toBe("/");
    expect(safeCallbackUrl(value)).toBe("/");
    expect(safeAbsoluteCallbackUrl(value, HTTP_ORIGIN)).toBe(`${HTTP_ORIGIN}/`);
    // On https, "https:evil.example" is merely a relative path ("/evil.example") of our own site.
    expect(new URL(safeCallbackUrl(value, ORIGIN), ORIGIN).origin).toBe(ORIGIN);
  });

  it.each([
    ["/", "/"],
    ["/rooms/5f1c?tab=run#main.py", "/rooms/5f1c?tab=run#main.py"],
    ["/join", "/join"],
    [`${ORIGIN}/rooms/1`, "/rooms/1"],
    // Encoded slashes stay encoded: a path on our own origin, not another host.
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
    ["/%5Cevil.example", "/%5Cevil.example"],
  ])("keeps %j as %j", (value, expected) => {
    expect(safeCallbackUrl(value, ORIGIN)).toBe(expected);
  });

  it("takes the first of repeated parameters, and / for none", () => {
    expect(safeCallbackUrl(["/a", "//evil.example"], ORIGIN)).toBe("/a");
    expect(safeCallbackUrl(undefined, ORIGIN)).toBe("/");
    expect(safeCallbackUrl("", ORIGIN)).toBe("/");
  });

  it("whatever it returns, a browser resolves on our origin", () => {
    const tricky = [...HOSTILE_CALLBACK_URLS, "/a/b/../c", "?x=1", "#frag", "rooms/1", "/%2e%2e/%2e%2e//evil.example"];
    for (const value of tricky) {
      const result = safeCallbackUrl(value, ORIGIN);
      expect(result.startsWith("/") && !result.startsWith("//")).toBe(true);
      expect(new URL(result, ORIGIN).origin).toBe(ORIGIN);
    }
  });
});
