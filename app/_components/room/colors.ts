/** A stable, readable colour per user (the same in every browser): their cursor, selection and avatar. */
const PALETTE = ["#f28b82", "#fbbc04", "#34a853", "#4f8cff", "#a142f4", "#24c1e0", "#ff8bcb", "#f6ae2d", "#7bd389", "#e8710a"];

export function colorFor(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
