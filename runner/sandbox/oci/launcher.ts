import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";

const SCRIPT = path.join(import.meta.dirname, "launcher.pl");

const openFd = (file: string, flags: number) => new Promise<number>((resolve, reject) => fs.open(file, flags, (err, fd) => (err ? reject(err) : resolve(fd))));

/** Opens the write ends of a run's output FIFOs, so our pending read opens return. */
function unblockOpens(dir: string): void {
  for (const name of ["stdout", "stderr"]) {
    try {
      fs.closeSync(fs.openSync(path.join(dir, name), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      /* no reader waiting: nothing to unblock */
    }
  }
}

/** A process the launcher started with FIFOs for its standard streams. */
export interface LaunchedProcess {
  stdin: net.Socket;
  stdout: net.Socket;
  stderr: net.Socket;
  /** Resolves with the exit status (128+N for signal N; null if the launcher died) once both output streams have ended too. */
  closed: Promise<number | null>;
}

/** How launcher.pl's `jail` confines a command before it execs it. */
export interface JailSettings {
  /** The run's cgroup (as under /sys/fs/cgroup), killed and removed if the runner dies. */
  cgroup: string;
  /** The unprivileged host uid and gid the command runs as. */
  id: number;
  /** Kernel resource numbers (RLIMIT_*) with their soft and hard limits. */
  rlimits: Array<{ resource: number; soft: number; hard: number }>;
  /** Opened read-only by the launcher (as root) onto fds 3, 4, ... */
  files: string[];
  /** When set, DIR/pts (an empty directory) becomes a devpts instance of at most this many terminals, in a mount namespace of the command's own. */
  ptys?: number;
}

interface Pending {
  onReady?: () => void;
  onExit: (status: number | null) => void;
}

/**
 * Starts the OCI runtime's processes through launcher.pl, a small process that
 * forks cheaply where Node would fork its whole heap (see the script). One
 * launcher per driver; `prefix` runs it inside something, e.g. a mount
 * namespace (see runtime-binary.ts). If it dies, what it was starting fails
 * (an infrastructure error, retried) and the next request starts a new one.
 *
 * It also ties containers to this process's life: the launcher dies with the
 * runner (the kernel's parent-death signal, see parent-death.pl), and each
 * guarded container's cgroup is then killed and removed by its waiter, so a
 * runner killed with SIGKILL leaves no run behind. PR_SET_PDEATHSIG follows
 * the parent *thread*: the launcher must be started from the thread that
 * lives as long as the runner (the main thread; a driver used from a worker
 * thread loses its containers when that thread ends).
 */
export class Launcher {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  private next = 0;

  constructor(private readonly prefix: string[] = []) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const [file, ...args] = [...this.prefix, "perl", SCRIPT, String(process.pid)];
    const child = spawn(file!, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    child.stdin!.on("error", () => undefined);
    let errors = "";
    child.stderr!.on("data", (c: Buffer) => (errors = (errors + c.toString()).slice(-2000)));
    const lines = readline.createInterface({ input: child.stdout! });
    this.ready = new Promise((resolve, reject) => {
      lines.once("line", (line) => (line === "ready hello" ? resolve() : reject(new Error(`unexpected launcher output: ${line}`))));
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the launcher exited (${code}): ${errors.trim()}`)));
    });
    this.ready.catch(() => undefined);
    void this.ready.then(() => lines.on("line", (line) => this.answer(line)));
    child.once("exit", () => {
      if (this.child === child) {
        this.child = undefined;
        this.ready = undefined;
      }
      for (const p of this.pending.values()) p.onExit(null);
      this.pending.clear();
    });
    // The script says it is ready once its prefix (e.g. entering a namespace) has worked.
    child.stdin!.write("hello\thello\n");
    void this.ready.finally(() => this.holdOpen());
    return this.ready;
  }

  /** An idle launcher must not keep the runner alive; one with requests outstanding must. */
  private holdOpen(): void {
    const child = this.child;
    if (!child) return;
    const busy = this.pending.size > 0;
    for (const h of [child, child.stdin, child.stdout, child.stderr] as unknown as Array<{ ref?: () => void; unref?: () => void }>) {
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  }

  private answer(line: string): void {
    const [kind, id, status] = line.split(" ");
    const p = this.pending.get(id!);
    if (!p) return;
    if (kind === "ready") p.onReady?.();
    else if (kind === "exit") {
      this.pending.delete(id!);
      p.onExit(Number(status));
      if (this.pending.size === 0) this.holdOpen();
    }
  }

  private async request(fields: string[], pending: Pending, assigned?: (id: string) => void): Promise<void> {
    await this.start();
    const id = `r${this.next++}`;
    assigned?.(id);
    if (fields.some((f) => /[\t\n]/.test(f) || f === "")) throw new Error("launcher arguments must be non-empty and free of tabs and newlines");
    this.pending.set(id, pending);
    if (this.pending.size === 1) this.holdOpen();
    this.child!.stdin!.write(`${[fields[0], id, ...fields.slice(1)].join("\t")}\n`);
  }

  /** Runs a command with no input or output; resolves with its exit status. */
  async call(argv: string[]): Promise<number | null> {
    return new Promise((resolve, reject) => {
      this.request(["call", ...argv], { onExit: resolve }).catch(reject);
    });
  }

  /**
   * Keeps watch over cgroups (absolute cgroup paths, e.g. a container's made
   * by a container engine): if this process dies before `release` is called,
   * every process in them is killed. Resolves once the watch is in place.
   */
  async guard(cgroups: string[]): Promise<{ release(): Promise<void> }> {
    let id = "";
    let ended!: () => void;
    const released = new Promise<void>((resolve) => (ended = resolve));
    await new Promise<void>((resolve, reject) => {
      this.request(
        ["guard", ...cgroups],
        { onReady: resolve, onExit: () => (ended(), reject(new Error("the launcher ended before guarding"))) },
        (assigned) => (id = assigned),
      ).catch(reject);
    });
    let releasing: Promise<void> | undefined;
    return {
      release: () => {
        // A launcher that died has no guard left to release: its guards acted as if the runner had died.
        releasing ??= this.child && this.pending.has(id) ? (this.child.stdin!.write(`release\t${id}\n`), released) : Promise.resolve();
        return releasing;
      },
    };
  }

  /**
   * Runs a command on FIFOs made in `dir` (a directory only the runner can
   * reach). `cgroup`: the run's cgroup, killed and removed if the runner dies
   * while the command runs.
   */
  async run(dir: string, argv: string[], cgroup?: string): Promise<LaunchedProcess> {
    return this.launch(["run", dir, cgroup ?? "-"], dir, argv);
  }

  /**
   * As run, but the command starts confined (see `jail` in launcher.pl): in
   * the run's cgroup, with the given rlimits (kernel resource numbers), the
   * files opened read-only as fds 3, 4, ..., as the unprivileged host uid and
   * gid `id`, with no_new_privs.
   */
  async jail(dir: string, argv: string[], confine: JailSettings): Promise<LaunchedProcess> {
    if (argv.some((a) => a.includes("\0"))) throw new Error("a command's arguments cannot hold NUL");
    const argvFile = path.join(dir, "argv");
    fs.writeFileSync(argvFile, argv.map((a) => `${a}\0`).join(""), { mode: 0o600, flag: "wx" });
    const limits = confine.rlimits.map((l) => `${l.resource}:${l.soft}:${l.hard}`).join(",");
    return this.launch(
      ["jail", dir, confine.cgroup, String(confine.id), limits, String(confine.ptys ?? 0), argvFile, ...confine.files],
      dir,
      argv.slice(0, 1),
      true,
    );
  }

  /** `argv` goes into the request unless `inFile` (the request names a file that holds it). */
  private async launch(head: string[], dir: string, argv: string[], inFile = false): Promise<LaunchedProcess> {
    let exited!: (status: number | null) => void;
    const exitStatus = new Promise<number | null>((resolve) => (exited = resolve));
    let started = false;
    await new Promise<void>((resolve, reject) => {
      this.request(inFile ? head : [...head, ...argv], {
        onReady: () => {
          started = true;
          resolve();
        },
        onExit: (status) => {
          exited(status);
          if (!started) reject(new Error(`the launcher could not start ${argv[0]} (status ${status})`));
          // A launcher that died before the command opened its ends would leave our opens waiting.
          else if (status === null) unblockOpens(dir);
        },
      }).catch(reject);
    });
    // The command opens stdin, then stdout, then stderr, each waiting for our end. stdin is ours
    // read-write (never waits); the output ends are opened blocking (off the event loop), since a
    // non-blocking read end opened before its writer would read end-of-file at once.
    const stdinFd = fs.openSync(path.join(dir, "stdin"), fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const stdin = new net.Socket({ fd: stdinFd, readable: false, writable: true });
    stdin.on("error", () => undefined);
    const [outFd, errFd] = await Promise.all(["stdout", "stderr"].map((name) => openFd(path.join(dir, name), fs.constants.O_RDONLY)));
    const stdout = new net.Socket({ fd: outFd!, readable: true, writable: false });
    const stderr = new net.Socket({ fd: errFd!, readable: true, writable: false });
    const ended = (s: net.Socket) => new Promise<void>((resolve) => s.once("close", () => resolve()));
    void exitStatus.then((status) => {
      // The launcher died: the command's output may never end.
      if (status === null) for (const s of [stdout, stderr]) s.destroy();
    });
    const closed = Promise.all([exitStatus, ended(stdout), ended(stderr)]).then(([status]) => {
      stdin.destroy();
      return status;
    });
    return { stdin, stdout, stderr, closed };
  }

  close(): void {
    this.child?.kill("SIGKILL");
  }
}
