import * as Y from "yjs";
import { FILES, FOLDERS, ROOM_DOCUMENT_LIMITS, RUN } from "../../lib/rooms/document";
import { runValueProblem } from "../../lib/rooms/run-config";
import { newPathProblem } from "../../lib/rooms/tree";
import { readUpdate, RefusedStruct, type Content, type Id, type ItemRecord, type StructRecord } from "./update-reader";

/**
 * Whether a Yjs update from a client may be applied to a room's live
 * document, decided before anything of it is applied (Yjs cannot take a
 * change back). The update is read into plain records (update-reader.ts) and
 * each new struct is placed: in which map or text of the document it lands,
 * under which key (read from the struct, or from its neighbour, in the
 * update or in the document). It may be applied when:
 *
 * - every struct lands where the room's document has room for it
 *   (lib/rooms/document.ts): a file entry (a map) under `files`, `true`
 *   under `folders`, a string `path` following the path rules and a Y.Text
 *   `text` in a file entry, characters in a file's text, a run configuration
 *   value under `run` (entry, language, args, stdin: each of its type and
 *   within its bounds, lib/rooms/run-config.ts); nothing else: no other
 *   root, no nested types anywhere else, no other keys or values;
 * - nothing in it depends on edits the document does not have: no gap in a
 *   client's clocks, no neighbour, parent or deletion the server has not seen.
 *   Yjs would keep such structs aside ("pending"), uncounted, and merge them
 *   again on every later update, and once their dependency arrived they
 *   would land unchecked;
 * - the files and folders it adds stay within the room's limits.
 *
 * It also says what the update costs: how many structs (Yjs items, each a
 * few hundred bytes of heap whatever its encoded size) it may add.
 */
export type UpdateVerdict =
  | {
      ok: true;
      newItems: number;
      addsContent: boolean;
      /** Files and folders live in the document now, and how many the update adds (keys not live now). */
      files: { live: number; added: number };
      folders: { live: number; added: number };
    }
  | { ok: false; problem: "shape" | "missing"; detail: string };

type UpdateStruct = Exclude<StructRecord, { kind: "skip" }>;
/** Where a struct lands: the kind of its container, and its key there (null in a text). */
interface Slot {
  kind: Kind;
  key: string | null;
}
/** collected: its container was deleted and garbage-collected; Yjs turns the struct into a tombstone. */
type Kind = "files" | "folders" | "run" | "entry" | "text" | "collected" | "invalid";
const INVALID: Slot = { kind: "invalid", key: null };
const COLLECTED: Slot = { kind: "collected", key: null };
const ROOTS: ReadonlySet<string> = new Set([FILES, FOLDERS, RUN]);

/** A struct found by id: the document's, or the update's. */
type Found = { inDoc: true; struct: Y.Item | Y.GC } | { inDoc: false; struct: UpdateStruct };

/** Below which a nested type may not sit: root, file entry, text. */
const MAX_TYPE_DEPTH = 3;

export function checkUpdate(doc: Y.Doc, update: Uint8Array): UpdateVerdict {
  let read: ReturnType<typeof readUpdate>;
  try {
    read = readUpdate(update, ROOTS);
  } catch (err) {
    return { ok: false, problem: "shape", detail: err instanceof RefusedStruct ? err.message : "not a Yjs update" };
  }
  return new UpdateCheck(doc, read.structs, read.deletions).run();
}

class UpdateCheck {
  /** The update's structs (no skips) per client, in clock order. */
  private readonly byClient = new Map<number, UpdateStruct[]>();
  private readonly slots = new Map<ItemRecord, Slot>();
  /** Structs that reach past what the document has: what the update adds. */
  private readonly fresh: UpdateStruct[] = [];

  constructor(
    private readonly doc: Y.Doc,
    private readonly structs: StructRecord[],
    private readonly deletions: Map<number, Array<[number, number]>>,
  ) {}

  run(): UpdateVerdict {
    const gap = this.indexStructs();
    if (gap) return { ok: false, problem: "missing", detail: gap };
    const missingDeletion = this.unknownDeletion();
    if (missingDeletion) return { ok: false, problem: "missing", detail: missingDeletion };
    // Every item, not only the new ones: Yjs looks up the neighbours and parent of each struct before it
    // sees that it has it already, and keeps the rest of that client's structs aside when one is missing.
    for (const struct of this.structs) {
      if (struct.kind !== "item") continue;
      const missing = this.missingDependency(struct);
      if (missing) return { ok: false, problem: "missing", detail: missing };
    }
    let addsContent = false;
    const newFiles = new Set<string>();
    const newFolders = new Set<string>();
    for (const struct of this.fresh) {
      if (struct.kind !== "item") continue;
      const slot = this.slotOf(struct);
      const problem = contentProblem(slot, struct.content);
      if (problem) return { ok: false, problem: "shape", detail: problem };
      if (struct.content.ref === "deleted" || slot.kind === "collected") continue;
      addsContent = true;
      if (slot.kind === "files") newFiles.add(slot.key!);
      if (slot.kind === "folders") newFolders.add(slot.key!);
    }
    const { files, folders } = this.counts(newFiles, newFolders);
    const tooMany = overLimits(files, folders);
    if (tooMany) return { ok: false, problem: "shape", detail: tooMany };
    // Each deleted range may split up to two items of the document in two.
    let deletions = 0;
    this.deletions.forEach((ranges) => (deletions += ranges.length));
    return { ok: true, newItems: this.fresh.length + 2 * deletions, addsContent, files, folders };
  }

  private state(client: number): number {
    return Y.getState(this.doc.store, client);
  }

  /** Groups the structs by client; a struct that starts past what the document and the update hold is a gap. */
  private indexStructs(): string | undefined {
    const known = new Map<number, number>();
    for (const struct of this.structs) {
      const upTo = known.get(struct.client) ?? this.state(struct.client);
      if (struct.kind === "skip") {
        known.set(struct.client, upTo);
        continue;
      }
      if (struct.clock > upTo) return `edits of client ${struct.client} from clock ${upTo} are missing`;
      known.set(struct.client, Math.max(upTo, struct.clock + struct.length));
      let list = this.byClient.get(struct.client);
      if (!list) this.byClient.set(struct.client, (list = []));
      list.push(struct);
      if (struct.clock + struct.length > this.state(struct.client)) this.fresh.push(struct);
    }
    return undefined;
  }

  /** A deletion of something neither the document nor the update has would be kept aside (pending) by Yjs. */
  private unknownDeletion(): string | undefined {
    for (const [client, ranges] of this.deletions) {
      const list = this.byClient.get(client);
      const last = list?.[list.length - 1];
      const known = Math.max(this.state(client), last ? last.clock + last.length : 0);
      for (const [clock, length] of ranges) if (clock + length > known) return `a deletion of edits of client ${client} the server does not have`;
    }
    return undefined;
  }

  private missingDependency(item: ItemRecord): string | undefined {
    for (const id of [item.origin, item.rightOrigin, typeof item.parent === "object" ? item.parent : null]) {
      if (id && !this.find(id)) return `an edit next to one the server does not have (client ${id.client}, clock ${id.clock})`;
    }
    return undefined;
  }

  /** The struct holding `id`: the document's, else the update's. */
  private find(id: Id): Found | undefined {
    const structs = this.doc.store.clients.get(id.client);
    if (structs && id.clock < this.state(id.client)) return { inDoc: true, struct: structs[Y.findIndexSS(structs, id.clock)]! };
    const list = this.byClient.get(id.client);
    if (!list) return undefined;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const s = list[mid]!;
      if (id.clock < s.clock) high = mid - 1;
      else if (id.clock >= s.clock + s.length) low = mid + 1;
      else return { inDoc: false, struct: s };
    }
    return undefined;
  }

  /**
   * Where an update item lands. An item names its parent only when it has no
   * neighbour; otherwise it lands beside its neighbour (origin, else right
   * origin), whose place may itself come from a neighbour: a chain, followed
   * with a stack of its own (a chain may be as long as the update).
   */
  private slotOf(start: ItemRecord): Slot {
    const chain: ItemRecord[] = [start];
    const inChain = new Set<ItemRecord>([start]);
    while (chain.length > 0) {
      const item = chain[chain.length - 1]!;
      const step = this.placeOf(item);
      if ("slot" in step) {
        this.slots.set(item, step.slot);
        chain.pop();
      } else if (inChain.has(step.dependsOn)) {
        this.slots.set(item, INVALID);
        chain.pop();
      } else {
        inChain.add(step.dependsOn);
        chain.push(step.dependsOn);
      }
    }
    return this.slots.get(start)!;
  }

  /** The item's slot if it can be told now, else the update item it depends on. */
  private placeOf(item: ItemRecord): { slot: Slot } | { dependsOn: ItemRecord } {
    const known = this.slots.get(item);
    if (known) return { slot: known };
    const parent = item.parent;
    if (typeof parent === "string") return { slot: { kind: rootKind(parent), key: item.parentSub } };
    if (parent) {
      const holder = this.find(parent);
      if (!holder) return { slot: INVALID };
      if (holder.inDoc) return { slot: { kind: this.childKindInDoc(holder.struct), key: item.parentSub } };
      // A parent is a whole item of its own (a type's item has length 1).
      if (holder.struct.kind !== "item" || holder.struct.clock !== parent.clock) return { slot: holder.struct.kind === "gc" ? COLLECTED : INVALID };
      const holderSlot = this.slots.get(holder.struct);
      if (!holderSlot) return { dependsOn: holder.struct };
      return { slot: { kind: childKind(holderSlot, holder.struct.content), key: item.parentSub } };
    }
    const neighbourId = item.origin ?? item.rightOrigin;
    const neighbour = neighbourId ? this.find(neighbourId) : undefined;
    if (!neighbour) return { slot: INVALID };
    if (neighbour.inDoc) return { slot: this.slotInDoc(neighbour.struct) };
    if (neighbour.struct.kind !== "item") return { slot: COLLECTED };
    const neighbourSlot = this.slots.get(neighbour.struct);
    return neighbourSlot ? { slot: neighbourSlot } : { dependsOn: neighbour.struct };
  }

  private slotInDoc(struct: Y.Item | Y.GC): Slot {
    if (!(struct instanceof Y.Item)) return COLLECTED;
    const parent = struct.parent as unknown;
    if (!(parent instanceof Y.AbstractType)) return COLLECTED;
    return { kind: this.typeKind(parent), key: struct.parentSub };
  }

  /** The kind of the type a document item holds (its content), as a parent. */
  private childKindInDoc(struct: Y.Item | Y.GC): Kind {
    if (!(struct instanceof Y.Item) || struct.content instanceof Y.ContentDeleted) return "collected";
    if (!(struct.content instanceof Y.ContentType)) return "invalid";
    return this.typeKind(struct.content.type);
  }

  /** What a type of the live document is in the room's shape. */
  private typeKind(type: Y.AbstractType<any>, depth = 0): Kind {
    if (depth > MAX_TYPE_DEPTH) return "invalid";
    const item = type._item;
    if (item === null) {
      if (type === this.doc.share.get(FILES)) return "files";
      if (type === this.doc.share.get(FOLDERS)) return "folders";
      if (type === this.doc.share.get(RUN)) return "run";
      return "invalid";
    }
    const parent = item.parent as unknown;
    if (!(parent instanceof Y.AbstractType)) return "collected";
    const slot = { kind: this.typeKind(parent, depth + 1), key: item.parentSub };
    if (slot.kind === "collected" || item.content instanceof Y.ContentDeleted) return "collected";
    if (!(item.content instanceof Y.ContentType)) return "invalid";
    const held = item.content.type;
    if (!(held instanceof Y.Map) && !(held instanceof Y.Text)) return "invalid";
    return childKind(slot, { ref: "type", type: held instanceof Y.Map ? "map" : "text" });
  }

  /** Live files and folders now, and the keys the update adds that are not live now. */
  private counts(newFiles: Set<string>, newFolders: Set<string>): { files: { live: number; added: number }; folders: { live: number; added: number } } {
    const files = liveKeys(this.doc.share.get(FILES));
    const folders = liveKeys(this.doc.share.get(FOLDERS));
    return {
      files: { live: files.size, added: [...newFiles].filter((k) => !files.has(k)).length },
      folders: { live: folders.size, added: [...newFolders].filter((k) => !folders.has(k)).length },
    };
  }
}

/**
 * Why live files and folders would pass the room's limits, counting `alsoAdded` more (updates admitted and
 * not applied yet: document-budget.ts); undefined when they would not. Only an update that adds any is held to it.
 */
export function overLimits(
  files: { live: number; added: number },
  folders: { live: number; added: number },
  alsoAdded = { files: 0, folders: 0 },
): string | undefined {
  if (files.added > 0 && files.live + files.added + alsoAdded.files > ROOM_DOCUMENT_LIMITS.files) return `more than ${ROOM_DOCUMENT_LIMITS.files} files`;
  if (folders.added > 0 && folders.live + folders.added + alsoAdded.folders > ROOM_DOCUMENT_LIMITS.folders)
    return `more than ${ROOM_DOCUMENT_LIMITS.folders} folders`;
  return undefined;
}

function rootKind(name: string): Kind {
  return name === FILES ? "files" : name === FOLDERS ? "folders" : name === RUN ? "run" : "invalid";
}

/** The kind of the type an item holds, given where the item lands. */
function childKind(slot: Slot, content: Content): Kind {
  if (slot.kind === "collected" || content.ref === "deleted") return "collected";
  if (content.ref !== "type") return "invalid";
  if (slot.kind === "files" && slot.key !== null && content.type === "map") return "entry";
  if (slot.kind === "entry" && slot.key === "text" && content.type === "text") return "text";
  return "invalid";
}

/** Why this content may not land in this slot; undefined when it may. */
function contentProblem(slot: Slot, content: Content): string | undefined {
  const deleted = content.ref === "deleted";
  switch (slot.kind) {
    case "collected":
      return undefined;
    case "files":
      if (slot.key === null || slot.key.length === 0 || slot.key.length > ROOM_DOCUMENT_LIMITS.fileIdLength) return "a file entry without a proper id";
      return deleted || (content.ref === "type" && content.type === "map") ? undefined : "a file entry that is not a map";
    case "folders": {
      if (slot.key === null) return "a folder without a path";
      const problem = newPathProblem(slot.key);
      if (problem) return `a folder path: ${problem}`;
      return deleted || (content.ref === "any" && content.values.length === 1 && content.values[0] === true) ? undefined : "a folder whose value is not true";
    }
    case "run":
      // Plain values only (no nested type): one value per key, of the key's type and within its bounds.
      if (deleted) return slot.key === null ? "a run configuration value without a key" : undefined;
      if (content.ref !== "any" || content.values.length !== 1) return "a run configuration value that is not one plain value";
      return runValueProblem(slot.key, content.values[0]);
    case "entry":
      if (slot.key === "path") {
        if (deleted) return undefined;
        if (content.ref !== "any" || content.values.length !== 1 || typeof content.values[0] !== "string") return "a file path that is not a string";
        const problem = newPathProblem(content.values[0]);
        return problem ? `a file path: ${problem}` : undefined;
      }
      if (slot.key === "text") return deleted || (content.ref === "type" && content.type === "text") ? undefined : "a file text that is not a Y.Text";
      return "a file entry key other than path and text";
    case "text":
      if (slot.key !== null) return "a key in a file's text";
      return deleted || content.ref === "string" ? undefined : "something other than characters in a file's text";
    default:
      return "a value outside the room's files, folders and run configuration";
  }
}

function liveKeys(type: Y.AbstractType<any> | undefined): Set<string> {
  const keys = new Set<string>();
  type?._map.forEach((item, key) => {
    if (!item.deleted) keys.add(key);
  });
  return keys;
}
