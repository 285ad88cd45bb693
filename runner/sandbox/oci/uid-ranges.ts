import fs from "node:fs";
import net from "node:net";

/**
 * Host uid/gid ranges for oci containers: every live container (a run, or a
 * warm one waiting for a run) maps its uids 0..65535 to a block of host ids no
 * other live container has, so no two runs share a host user, and with it the
 * per-user process and inotify quotas, or the right to signal each other.
 *
 * The blocks lie at `base + k * 65536`, away from what /etc/subuid hands to the
 * host's users (checked at start). Several runner processes on one machine
 * share the blocks: a block is held by listening on the abstract unix socket
 * `sam-uid-block-<base / 65536 + k>`, which only one process can hold and the
 * kernel releases when that process dies, so a crashed runner leaves nothing
 * stale to reclaim (`ss -xlp | grep sam-uid-block` shows who holds what).
 * Abstract sockets are per network namespace: runners sharing one kernel must
 * share their network namespace too (the default).
 *
 * A socket lives as long as its runner, not as long as the container: a
 * container can outlive a runner that dies (until its waiter or another
 * runner's sweep ends it, see run-registry.ts). So a block is also taken
 * while a run cgroup that names it exists (`inUse`), which the registry
 * removes only once nothing runs in it: no new container gets the host ids
 * of one still alive.
 */
export const IDS_PER_RANGE = 65536;
/** The defaults of SAM_OCI_UID_BASE and SAM_OCI_UID_RANGES: 1024 blocks from 0x70000000 (to 0x73ffffff). */
export const DEFAULT_UID_BASE = 0x70000000;
export const DEFAULT_UID_RANGES = 1024;
const HIGHEST_ID = 0xfffffffe; // (uid_t)-1 means "no id"

export interface UidRange {
  /** The block's number on the machine: hostId / 65536 (the name of its socket and its run cgroup's). */
  block: number;
  /** The first host id: container id 0 maps to it, for uids and gids alike. */
  hostId: number;
  size: number;
  release(): void;
}

export interface SubidEntry {
  file: string;
  line: string;
  start: number;
  count: number;
}

/** The entries of /etc/subuid and /etc/subgid (user:start:count); absent files have none. */
export function readSubidEntries(files = ["/etc/subuid", "/etc/subgid"]): SubidEntry[] {
  return files.flatMap((file) => {
    let text = "";
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => {
        const [, start, count] = line.split(":");
        return { file, line, start: Number(start), count: Number(count) };
      })
      .filter((e) => Number.isSafeInteger(e.start) && Number.isSafeInteger(e.count));
  });
}

export class UidRangeAllocator {
  private readonly firstBlock: number;

  constructor(
    private readonly base: number,
    private readonly count: number,
    subids: SubidEntry[] = readSubidEntries(),
    /** Blocks still named by a live container of any runner, alive or dead (see run-registry.ts). */
    private readonly inUse: () => Set<number> = () => new Set(),
  ) {
    const end = base + count * IDS_PER_RANGE; // exclusive
    if (base % IDS_PER_RANGE !== 0) throw new Error(`SAM_OCI_UID_BASE (${base}) must be a multiple of ${IDS_PER_RANGE}`);
    if (end - 1 > HIGHEST_ID) {
      throw new Error(`SAM_OCI_UID_BASE + SAM_OCI_UID_RANGES * ${IDS_PER_RANGE} must stay below 2^32 - 1 (it reaches ${end - 1}): lower one of them`);
    }
    const overlap = subids.filter((e) => e.start < end && e.start + e.count > base);
    if (overlap.length) {
      throw new Error(
        `the oci driver's host uid ranges ${base}..${end - 1} (SAM_OCI_UID_BASE, SAM_OCI_UID_RANGES) overlap ` +
          `${overlap.map((e) => `"${e.line}" in ${e.file}`).join(", ")}: a run would share host ids with that user's containers. ` +
          `Choose a SAM_OCI_UID_BASE clear of them, or move those entries`,
      );
    }
    this.firstBlock = base / IDS_PER_RANGE;
  }

  /** A block no live container on this machine has; throws when all are taken. */
  async allocate(): Promise<UidRange> {
    // Start at a random block: concurrent runners rarely try the same one.
    const start = Math.floor(Math.random() * this.count);
    let taken = this.inUse();
    for (let i = 0; i < this.count; i++) {
      const k = (start + i) % this.count;
      const block = this.firstBlock + k;
      if (taken.has(block)) continue;
      const server = await holdBlock(block);
      if (!server) continue;
      // Looked at again once the socket is ours: a runner that held it may have died meanwhile, its container still alive.
      taken = this.inUse();
      if (taken.has(block)) {
        server.close();
        continue;
      }
      let released = false;
      return {
        block,
        hostId: this.base + k * IDS_PER_RANGE,
        size: IDS_PER_RANGE,
        release: () => {
          if (released) return;
          released = true;
          server.close();
        },
      };
    }
    throw new Error(`all ${this.count} host uid ranges are held by live containers (raise SAM_OCI_UID_RANGES)`);
  }
}

/** Listens on the block's abstract socket; null if another process (or this one) holds it. */
function holdBlock(block: number): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", (err: NodeJS.ErrnoException) => (err.code === "EADDRINUSE" ? resolve(null) : reject(err)));
    // Nothing ever connects; the socket must not keep the process alive on its own.
    server.listen({ path: `\0sam-uid-block-${block}` }, () => resolve(server.unref()));
  });
}
