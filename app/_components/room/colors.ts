/** A stable, readable colour per user (the same in every browser): their cursor, selection and avatar. */
export function colorFor(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  // Any hue, at a lightness that reads on the dark theme: far fewer clashes than a small palette.
  return `hsl(${h % 360} 75% 65%)`;
}
