import { type Zippable, zipSync } from "fflate";
import { uniqueIp, webUrl } from "./api";

/** Zips and requests for the room archive routes (GET /api/v1/rooms/:id/archive, POST /api/v1/rooms/import). */
export function zipOf(entries: Zippable): Uint8Array {
  return zipSync(entries, { level: 6 });
}

/** A zip whose entry `from` is renamed to `to` (same length) in its local and central headers: names fflate would not write (duplicates). */
export function renamedEntry(zip: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error("renamedEntry: names of the same length only");
  const out = zip.slice();
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  const buf = Buffer.from(out.buffer);
  for (let at = buf.indexOf(a); at >= 0; at = buf.indexOf(a, at + 1)) b.copy(buf, at);
  return out;
}

/** A zip whose central directory lists `copies` entries, all pointing at one stream of `megabytes` MiB of zeros, each claiming `claimed` bytes. */
export function lyingZip(megabytes: number, copies: number, claimed: number, name = "big.txt"): Uint8Array {
  const honest = zipSync({ [name]: new Uint8Array(megabytes * 1024 * 1024) }, { level: 9 });
  const view = new DataView(honest.buffer, honest.byteOffset, honest.byteLength);
  let eocd = honest.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const cdOffset = view.getUint32(eocd + 16, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const header = honest.slice(cdOffset, cdOffset + cdSize);
  new DataView(header.buffer).setUint32(24, claimed, true);
  const out = new Uint8Array(cdOffset + cdSize * copies + 22);
  out.set(honest.subarray(0, cdOffset));
  for (let i = 0; i < copies; i++) out.set(header, cdOffset + i * cdSize);
  const end = honest.slice(eocd, eocd + 22);
  const endView = new DataView(end.buffer);
  endView.setUint16(8, copies, true);
  endView.setUint16(10, copies, true);
  endView.setUint32(12, cdSize * copies, true);
  out.set(end, cdOffset + cdSize * copies);
  return out;
}

/** POST /api/v1/rooms/import with the zip as the body. */
export async function importZip(
  body: Uint8Array | string,
  opts: { token?: string; name?: string; language?: string } = {},
): Promise<{ status: number; json: any }> {
  const query = new URLSearchParams();
  if (opts.name !== undefined) query.set("name", opts.name);
  query.set("language", opts.language ?? "python");
  const headers: Record<string, string> = { "content-type": "application/zip", "x-forwarded-for": uniqueIp() };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${webUrl()}/api/v1/rooms/import?${query}`, { method: "POST", headers, body: typeof body === "string" ? body : Buffer.from(body) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

/** GET /api/v1/rooms/:id/archive. */
export async function downloadArchive(roomId: string, token?: string): Promise<{ status: number; headers: Headers; bytes: Uint8Array; json?: any }> {
  const headers: Record<string, string> = { "x-forwarded-for": uniqueIp() };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${webUrl()}/api/v1/rooms/${roomId}/archive`, { headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  let json: any;
  if (!res.headers.get("content-type")?.includes("zip")) json = JSON.parse(Buffer.from(bytes).toString("utf8") || "null");
  return { status: res.status, headers: res.headers, bytes, json };
}
