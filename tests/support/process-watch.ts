import fs from "node:fs";

/**
 * Every process a command started, followed through /proc while it runs: the
 * descendants of a root pid, plus any process whose command line names one of
 * `markers` (a data dir: catches a child that was re-parented to init).
 * A process is known by pid and start time, so a reused pid is never taken
 * for a survivor.
 */
export interface SeenProcess {
  pid: number;
  startTime: string;
  args: string;
}

interface Row {
  pid: number;
  ppid: number;
  startTime: string;
  state: string;
}

function readStat(pid: number): Row | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: rest[0]!, ppid: Number(rest[1]), startTime: rest[19]! };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

export class ProcessWatch {
  private readonly seen = new Map<string, SeenProcess>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: number,
    private readonly markers: string[],
  ) {}

  start(intervalMs = 50): void {
    this.scan();
    this.timer = setInterval(() => this.scan(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look at /proc; adds what is new. */
  scan(): void {
    const rows: Row[] = [];
    for (const name of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      const row = readStat(Number(name));
      if (row) rows.push(row);
    }
    const inTree = new Set([this.root]);
    // Parents are usually listed before children; repeat until nothing new joins.
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of rows) if (!inTree.has(r.pid) && inTree.has(r.ppid)) inTree.add(r.pid), (grew = true);
    }
    for (const r of rows) {
      const key = `${r.pid}:${r.startTime}`;
      if (this.seen.has(key) || r.state === "Z") continue;
      const args = cmdline(r.pid);
      if (r.pid === this.root || inTree.has(r.pid) || this.markers.some((m) => args.includes(m)))
        this.seen.set(key, { pid: r.pid, startTime: r.startTime, args });
    }
  }

  all(): SeenProcess[] {
    return [...this.seen.values()];
  }

  /** The processes seen that still run (same pid and start time, not a zombie). */
  alive(): SeenProcess[] {
    return this.all().filter((p) => {
      const now = readStat(p.pid);
      return now !== undefined && now.startTime === p.startTime && now.state !== "Z";
    });
  }
}
