"use client";

import { useEffect, useReducer } from "react";
import type { Peer } from "./usePresence";

/** How long a name tag stays on after its person last moved; then it fades, so it never hides code for long. */
export const NAME_TAG_MS = 2500;

// Names become CSS string content: escape everything but plain letters and digits.
const cssString = (s: string) => `"${[...s].map((c) => (/[A-Za-z0-9 ]/.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join("")}"`;

/**
 * Colours y-monaco's remote cursor and selection decorations per person,
 * with their name on the cursor. The name tag sits over the line above, so
 * it shows only while its person is moving (and when the pointer is on the
 * cursor), then fades out.
 */
export function RemoteCursors({ peers }: { peers: Peer[] }) {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const now = Date.now();
  const others = peers.filter((p) => !p.self);
  const isMoving = (p: Peer) => now - p.movedAt < NAME_TAG_MS;

  // Render again when the next tag is due to fade.
  const nextFade = Math.min(...others.filter(isMoving).map((p) => p.movedAt + NAME_TAG_MS));
  useEffect(() => {
    if (!Number.isFinite(nextFade)) return;
    const timer = setTimeout(rerender, Math.max(0, nextFade - Date.now()) + 20);
    return () => clearTimeout(timer);
  }, [nextFade]);

  const css = others
    .map((p) => {
      const head = `.yRemoteSelectionHead-${p.clientId}`;
      return `.yRemoteSelection-${p.clientId}{background-color:color-mix(in srgb, ${p.color} 25%, transparent)}
${head}{position:absolute;border-left:2px solid ${p.color};height:100%;box-sizing:border-box}
${head}::after{content:${cssString(p.name)};position:absolute;top:-1.2em;left:-2px;font-size:11px;line-height:1.2em;padding:0 3px;background:${p.color};color:#111;white-space:nowrap;border-radius:3px 3px 3px 0;pointer-events:none;opacity:${isMoving(p) ? "1;transition:none" : "0;transition:opacity 0.6s ease-out"}}
${head}:hover::after{opacity:1;transition:none}`;
    })
    .join("\n");
  return <style data-testid="remote-cursor-styles">{css}</style>;
}
