import { expect, it } from "vitest";
import { parsePreferences } from "../../app/_components/room/layout/preferences";
import { registerUser, uniqueIp, webUrl } from "../support/api";
import { signIn } from "../support/sessions";

/**
 * The theme cookie (`sam-theme`) is read by the server on every page
 * (app/layout.tsx puts it on <html data-theme>, the top bar hands it to the
 * switch). Anyone can set any cookie value in their own browser, and a
 * sibling site or a script injected elsewhere on the domain could set one in
 * someone else's: the page must only ever show one of the three choices.
 */
const HOSTILE = [
  '"><script>alert(1)</script>',
  "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  'dark" onmouseover="alert(1)',
  "dark' autofocus onfocus='alert(1)",
  "light</html><img src=x onerror=alert(1)>",
  "dark\u2028",
  "DARK",
  "__proto__",
  "x".repeat(3000),
];

async function page(path: string, cookie: string) {
  const res = await fetch(webUrl() + path, { headers: { cookie, "x-forwarded-for": uniqueIp() }, redirect: "manual" });
  return { status: res.status, html: await res.text() };
}

const themeOf = (html: string) => html.match(/<html[^>]*\bdata-theme="([^"]*)"/)?.[1];

it("a hostile theme cookie is never echoed: pages say data-theme=system; the real choices work", async () => {
  const user = await registerUser();
  const session = await signIn(user.username, user.password);
  // The sign-in page for nobody, the room list (with the top bar's switch) for a signed-in user.
  for (const [path, signedIn] of [
    ["/signin", ""],
    ["/", `${session}; `],
  ] as const) {
    for (const value of HOSTILE) {
      const { status, html } = await page(path, `${signedIn}sam-theme=${encodeURIComponent(value)}`);
      expect(status, `${path} ${value.slice(0, 30)}`).toBe(200);
      expect(themeOf(html), `${path} ${value.slice(0, 30)}`).toBe("system");
      expect(html).not.toContain("alert(1)");
      expect(html).not.toContain("onerror=");
    }
    for (const choice of ["light", "dark", "system"]) {
      expect(themeOf((await page(path, `${signedIn}sam-theme=${choice}`)).html)).toBe(choice);
    }
  }
});

it("stored preferences are checked field by field: hostile or oversized entries fall back to the defaults", () => {
  const hostile = JSON.stringify({
    theme: '"><script>alert(1)</script>',
    fontSize: 1e9,
    dockTab: "__proto__",
    columns: { "panel-side": 50, "panel-main": 50, __proto__: { polluted: true } },
    rows: { "panel-editor": -50, "panel-dock": 150 },
  });
  expect(parsePreferences(hostile)).toEqual({ fontSize: 14, dockTab: "output", columns: { "panel-side": 50, "panel-main": 50 } });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  const polluting = '{"__proto__": {"polluted": true}, "columns": {"__proto__": {"x": 1}, "panel-side": 50, "panel-main": 50}}';
  expect(parsePreferences(polluting)).toEqual({ fontSize: 14, dockTab: "output" });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(parsePreferences(`{"fontSize": 20, "pad": "${"x".repeat(5000)}"}`)).toEqual({ fontSize: 14, dockTab: "output" });
  expect(parsePreferences('{"fontSize": 20.5}').fontSize).toBe(14);
});
