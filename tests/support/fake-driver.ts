import {
  SandboxInfrastructureError,
  type SandboxDriver,
  type SandboxHandle,
  type SandboxOutcome,
  type SandboxRun,
  type SandboxStreams,
} from "../../runner/sandbox/driver";

/**
 * A scripted stand-in for a container driver, for testing the queue's retry
 * and result logic only (never the isolation: the real drivers' suites do that).
 * It speaks the launcher's marker protocol like the real image does.
 * `stdout` may be bytes (any bytes); it is written in one piece when the "program" ends.
 */
export type FakeBehaviour =
  | { kind: "infrastructure_failure"; message: string }
  | { kind: "program"; stdout: string | Uint8Array; exitCode: number; delayMs?: number }
  /** A sandbox gone wrong: `start` never returns (the container is never made). */
  | { kind: "never_created" }
  /** A sandbox gone wrong: the run never ends and kills hang; `started`: the program got to print first. */
  | { kind: "hangs"; started: boolean; stdout?: string };

/** One run the driver started: what it was given, and when it started and ended. */
export interface FakeRun {
  run: SandboxRun;
  startedAt: number;
  endedAt?: number;
}

export class FakeDriver implements SandboxDriver {
  readonly name = "oci" as const;
  starts = 0;
  readonly runs: FakeRun[] = [];
  kills = 0;
  constructor(private readonly script: (attempt: number, run: SandboxRun) => FakeBehaviour) {}

  async start(run: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle> {
    this.starts++;
    const behaviour = this.script(this.starts, run);
    if (behaviour.kind === "infrastructure_failure") throw new SandboxInfrastructureError(behaviour.message);
    if (behaviour.kind === "never_created") return new Promise(() => undefined);
    if (behaviour.kind === "hangs") {
      if (behaviour.started) {
        streams.stderr(Buffer.from(`${run.env.SAM_MARKER}:started\n`));
        streams.stdout(Buffer.from(behaviour.stdout ?? ""));
      }
      return {
        done: new Promise(() => undefined),
        kill: () => {
          this.kills++;
          return new Promise(() => undefined);
        },
      };
    }
    const record: FakeRun = { run, startedAt: Date.now() };
    this.runs.push(record);
    let killed: SandboxOutcome["killedFor"] = null;
    let release: () => void = () => undefined;
    const done = new Promise<SandboxOutcome>((resolve) => {
      const finish = () => {
        if (record.endedAt) return;
        record.endedAt = Date.now();
        if (!killed) streams.stdout(Buffer.from(behaviour.stdout));
        resolve({
          exitCode: killed ? null : behaviour.exitCode,
          signal: killed ? "SIGKILL" : null,
          wallTimeMs: 5,
          cpuTimeMs: 1,
          memoryKb: 100,
          oomKilled: false,
          killedFor: killed,
        });
      };
      release = finish;
      streams.stderr(Buffer.from(`${run.env.SAM_MARKER}:started\n`));
      setTimeout(finish, behaviour.delayMs ?? 0);
    });
    return {
      done,
      kill: async (reason) => {
        killed = reason;
        release();
      },
    };
  }

  async close(): Promise<void> {}
}
