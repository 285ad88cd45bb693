"use client";

import type { Peer } from "./usePresence";

// Names become CSS string content: escape everything but plain letters and digits.
const cssString = (s: string) => `"${[...s].map((c) => (/[A-Za-z0-9 ]/.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join("")}"`;

/** Colours y-monaco's remote cursor and selection decorations per person, with their name on the cursor. */
export function RemoteCursors({ peers }: { peers: Peer[] }) {
  const css = peers
    .filter((p) => !p.self)
    .map(
      (p) => `.yRemoteSelection-${p.clientId}{background-color:color-mix(in srgb, ${p.color} 25%, transparent)}
.yRemoteSelectionHead-${p.clientId}{position:absolute;border-left:2px solid ${p.color};height:100%;box-sizing:border-box}
.yRemoteSelectionHead-${p.clientId}::after{content:${cssString(p.name)};position:absolute;top:-1.2em;left:-2px;font-size:11px;line-height:1.2em;padding:0 3px;background:${p.color};color:#111;white-space:nowrap;border-radius:3px 3px 3px 0;pointer-events:none}`,
    )
    .join("\n");
  return <style data-testid="remote-cursor-styles">{css}</style>;
}
