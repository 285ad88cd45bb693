import * as decoding from "lib0/decoding";

/**
 * Reads a Yjs update (format v1, what Hocuspocus and its provider send) into
 * plain records, without building any Yjs object. Y.decodeUpdate builds a Yjs
 * type for every nested type in the update: a 2 MiB update of empty maps
 * became 200 MB of heap before anything could be checked. Here such an update
 * is refused at its first struct, and an update of the room's own shape costs
 * a small record per struct.
 *
 * Refused while reading (RefusedStruct), whatever the struct's place: a root
 * other than the room's, content the room's document never holds (JSON,
 * binary, embeds, formatting, sub-documents, types other than maps and texts),
 * and a client named in two sections: Yjs keeps only the last section of a
 * client, so a check that read both would judge structs Yjs never sees and
 * miss that the others depend on them (Yjs's own encoder writes one section
 * per client).
 *
 * The layout follows Yjs 13 (src/utils/encoding.js readClientsStructRefs,
 * src/structs/Item.js readItemContent, src/utils/DeleteSet.js readDeleteSet).
 */
export interface Id {
  client: number;
  clock: number;
}

export type Content = { ref: "deleted" } | { ref: "string" } | { ref: "any"; values: unknown[] } | { ref: "type"; type: "map" | "text" };

export interface ItemRecord {
  kind: "item";
  client: number;
  clock: number;
  length: number;
  origin: Id | null;
  rightOrigin: Id | null;
  /** A root's name, a parent item's id, or null (the parent is the neighbour's). */
  parent: string | Id | null;
  parentSub: string | null;
  content: Content;
}

/** A tombstone (gc) or a gap the update does not cover (skip). */
export interface RangeRecord {
  kind: "gc" | "skip";
  client: number;
  clock: number;
  length: number;
}

export type StructRecord = ItemRecord | RangeRecord;

export interface ReadUpdate {
  structs: StructRecord[];
  /** Deleted ranges per client: [clock, length]. */
  deletions: Map<number, Array<[number, number]>>;
}

export class RefusedStruct extends Error {}

const BITS5 = 31;
const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const TYPE_MAP = 1;
const TYPE_TEXT = 2;

/** Throws RefusedStruct for what the room's document never holds; any other error: not a Yjs update. */
export function readUpdate(update: Uint8Array, roots: ReadonlySet<string>): ReadUpdate {
  const decoder = decoding.createDecoder(update);
  const structs: StructRecord[] = [];
  const sections = decoding.readVarUint(decoder);
  const clients = new Set<number>();
  for (let s = 0; s < sections; s++) {
    const count = decoding.readVarUint(decoder);
    const client = decoding.readVarUint(decoder);
    if (clients.has(client)) throw new RefusedStruct(`client ${client} named in two sections of one update`);
    clients.add(client);
    let clock = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      const info = decoding.readUint8(decoder);
      const ref = info & BITS5;
      if (ref === 0 || ref === 10) {
        const length = decoding.readVarUint(decoder);
        structs.push({ kind: ref === 0 ? "gc" : "skip", client, clock, length });
        clock += length;
        continue;
      }
      const origin = info & BIT8 ? readId(decoder) : null;
      const rightOrigin = info & BIT7 ? readId(decoder) : null;
      const ownParentInfo = (info & (BIT7 | BIT8)) === 0;
      let parent: string | Id | null = null;
      if (ownParentInfo) {
        if (decoding.readVarUint(decoder) === 1) {
          const root = decoding.readVarString(decoder);
          if (!roots.has(root)) throw new RefusedStruct(`a root other than the room's (${JSON.stringify(root.slice(0, 40))})`);
          parent = root;
        } else {
          parent = readId(decoder);
        }
      }
      const parentSub = ownParentInfo && (info & BIT6) === BIT6 ? decoding.readVarString(decoder) : null;
      const { content, length } = readContent(decoder, ref);
      structs.push({ kind: "item", client, clock, length, origin, rightOrigin, parent, parentSub, content });
      clock += length;
    }
  }
  const deletions = new Map<number, Array<[number, number]>>();
  const deletingClients = decoding.readVarUint(decoder);
  for (let c = 0; c < deletingClients; c++) {
    const client = decoding.readVarUint(decoder);
    const count = decoding.readVarUint(decoder);
    const ranges = deletions.get(client) ?? [];
    for (let i = 0; i < count; i++) ranges.push([decoding.readVarUint(decoder), decoding.readVarUint(decoder)]);
    if (ranges.length > 0) deletions.set(client, ranges);
  }
  return { structs, deletions };
}

function readId(decoder: decoding.Decoder): Id {
  return { client: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder) };
}

function readContent(decoder: decoding.Decoder, ref: number): { content: Content; length: number } {
  switch (ref) {
    case 1: // deleted
      return { content: { ref: "deleted" }, length: decoding.readVarUint(decoder) };
    case 4: // string: its length in UTF-16 code units, as Yjs counts
      return { content: { ref: "string" }, length: decoding.readVarString(decoder).length };
    case 7: {
      // a type
      const typeRef = decoding.readVarUint(decoder);
      if (typeRef === TYPE_MAP) return { content: { ref: "type", type: "map" }, length: 1 };
      if (typeRef === TYPE_TEXT) return { content: { ref: "type", type: "text" }, length: 1 };
      throw new RefusedStruct("a nested type other than a map or a text");
    }
    case 8: {
      // any values
      const count = decoding.readVarUint(decoder);
      const values: unknown[] = [];
      for (let i = 0; i < count; i++) values.push(decoding.readAny(decoder));
      return { content: { ref: "any", values }, length: count };
    }
    default:
      // 2 JSON, 3 binary, 5 embed, 6 format, 9 sub-document: never in a room's document
      throw new RefusedStruct(`content of kind ${ref}, which a room's document never holds`);
  }
}
