/**
 * Values of `callbackUrl` that must never take a person off the app after
 * sign-in (each as the page receives it, i.e. after the query string's own
 * decoding). Browsers drop tabs and newlines, read `\` as `/`, and resolve
 * scheme-relative and scheme-only forms: every trick below leaves the site
 * when a plain prefix check lets it through.
 */
export const HOSTILE_CALLBACK_URLS = [
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "\\/evil.example",
  "/.//evil.example",
  "/x/..//evil.example",
  "https://evil.example/steal",
  "http://evil.example",
  "https:evil.example",
  "https:/evil.example",
  "https:\\\\evil.example",
  "http://127.0.0.1@evil.example/",
  "javascript:alert(document.domain)",
  "JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "blob:https://evil.example/x",
] as const;
