import { z } from "zod";

/**
 * Presence: what each open tab in a room shows the others (Yjs awareness).
 *
 *   { user:      { id, name, color }      who: set by the room server from the authenticated user
 *     cursor?:   { fileId, line?, column? } where: the file open and the cursor, chosen by the client
 *     selection?: { anchor, head } }       y-monaco's selection (Yjs relative positions), chosen by the client
 *
 * Nothing a client sends is trusted: the room server rewrites every entry
 * (collab/socket/presence-filter.ts: `user` from the token, client fields
 * checked here, anything else dropped), and every browser checks each entry
 * again before rendering it (`readPresence`), so one bad entry, from
 * anywhere, can neither restyle nor break the room page.
 */
export interface PresenceUser {
  id: string;
  name: string;
  color: string;
}

export interface PresenceCursor {
  fileId: string;
  line?: number;
  column?: number;
}

/** A stable, readable colour per user (the same in every browser): their cursor, selection and avatar. */
export function colorFor(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  // Any hue, at a lightness that reads on the dark theme: far fewer clashes than a small palette.
  return `hsl(${h % 360} 75% 65%)`;
}

/** Who someone is, as the room shows them: only ever built from an authenticated user. */
export function presenceUser(user: { id: string; username: string }): PresenceUser {
  return { id: user.id, name: user.username, color: colorFor(user.id) };
}

// Colours end up in CSS: only the two plain forms, nothing that could close a rule.
const COLOR = /^(hsl\(\d{1,3} \d{1,3}% \d{1,3}%\)|#[0-9a-f]{6})$/i;
const MAX_NAME = 64;
const MAX_POSITION = 10_000_000;

const userSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(MAX_NAME),
  color: z.string().regex(COLOR),
});

const position = z.number().int().min(1).max(MAX_POSITION);
const cursorSchema = z.object({
  fileId: z.string().regex(/^[\w-]{1,64}$/),
  line: position.optional(),
  column: position.optional(),
});

// A Yjs item id; relative positions point at items (y-monaco's selections).
const itemId = z.object({ client: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), clock: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
// Written out whole (null where absent), as y-monaco expects: a missing key would crash its rendering. Room texts are
// nested types, so a position names an item or its parent type, never a root type by name.
const relativePosition = z
  .object({ type: itemId.nullish(), tname: z.null().optional(), item: itemId.nullish(), assoc: z.number().int().min(-1).max(1).optional() })
  .refine((p) => p.type != null || p.item != null, "a position names an item or its type")
  .transform((p) => ({ type: p.type ?? null, tname: null, item: p.item ?? null, assoc: p.assoc ?? 0 }));
const selectionSchema = z.object({ anchor: relativePosition, head: relativePosition });

// What a client may say about itself: a bad field is dropped, the rest kept.
const clientFields = z.object({
  cursor: cursorSchema.optional().catch(undefined),
  selection: selectionSchema.optional().catch(undefined),
});

export type PresenceState = { user: PresenceUser } & z.infer<typeof clientFields>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const withoutUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The room server's rewrite of a client's own entry: its checked fields, under the identity the server knows. Undefined: not an entry at all. */
export function presenceFromClient(raw: unknown, user: PresenceUser): PresenceState | undefined {
  if (!isObject(raw)) return undefined;
  const fields = clientFields.safeParse(raw);
  return fields.success ? withoutUndefined({ user, ...fields.data }) : { user };
}

/** An entry as a browser may render it; undefined for anything else (ignored, never rendered). */
export function readPresence(raw: unknown): PresenceState | undefined {
  if (!isObject(raw)) return undefined;
  const user = userSchema.safeParse(raw.user);
  if (!user.success) return undefined;
  const fields = clientFields.safeParse(raw);
  return withoutUndefined({ user: user.data, ...(fields.success ? fields.data : {}) });
}
