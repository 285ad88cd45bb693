import * as encoding from "lib0/encoding";

/**
 * Yjs updates (format v1) written by hand, as a modified client could send
 * them, including what Yjs's own encoder never writes (a client in two
 * sections, neighbours that exist nowhere). For differential tests of
 * collab/document/update-check.ts against Yjs itself.
 */
export interface Id {
  client: number;
  clock: number;
}

/** Where an item says it belongs: next to neighbours, or under a parent (a root's name or a type's item). */
interface Placement {
  origin?: Id;
  rightOrigin?: Id;
  parent?: string | Id;
  parentSub?: string;
}

export type HandStruct =
  | ({ kind: "string"; text: string } & Placement)
  | ({ kind: "type"; type: "map" | "text" } & Placement)
  | ({ kind: "any"; values: unknown[] } & Placement)
  | ({ kind: "deleted"; length: number } & Placement);

export interface Section {
  client: number;
  clock: number;
  structs: HandStruct[];
}

const CONTENT_REF = { deleted: 1, string: 4, type: 7, any: 8 } as const;
const TYPE_REF = { map: 1, text: 2 } as const;

export function handUpdate(sections: Section[], deletions: Array<{ client: number; ranges: Array<[number, number]> }> = []): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, sections.length);
  for (const section of sections) {
    encoding.writeVarUint(e, section.structs.length);
    encoding.writeVarUint(e, section.client);
    encoding.writeVarUint(e, section.clock);
    for (const s of section.structs) writeItem(e, s);
  }
  encoding.writeVarUint(e, deletions.length);
  for (const { client, ranges } of deletions) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, ranges.length);
    for (const [clock, length] of ranges) {
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, length);
    }
  }
  return encoding.toUint8Array(e);
}

function writeItem(e: encoding.Encoder, s: HandStruct): void {
  // An item names its parent only when it has no neighbour (Yjs's Item.write).
  const ownParent = !s.origin && !s.rightOrigin;
  const info = CONTENT_REF[s.kind] | (s.origin ? 0x80 : 0) | (s.rightOrigin ? 0x40 : 0) | (ownParent && s.parentSub !== undefined ? 0x20 : 0);
  encoding.writeUint8(e, info);
  if (s.origin) writeId(e, s.origin);
  if (s.rightOrigin) writeId(e, s.rightOrigin);
  if (ownParent) {
    if (typeof s.parent === "string") {
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, s.parent);
    } else {
      encoding.writeVarUint(e, 0);
      writeId(e, s.parent!);
    }
    if (s.parentSub !== undefined) encoding.writeVarString(e, s.parentSub);
  }
  switch (s.kind) {
    case "string":
      return encoding.writeVarString(e, s.text);
    case "type":
      return encoding.writeVarUint(e, TYPE_REF[s.type]);
    case "any":
      encoding.writeVarUint(e, s.values.length);
      for (const v of s.values) encoding.writeAny(e, v as never);
      return;
    case "deleted":
      return encoding.writeVarUint(e, s.length);
  }
}

function writeId(e: encoding.Encoder, id: Id): void {
  encoding.writeVarUint(e, id.client);
  encoding.writeVarUint(e, id.clock);
}
