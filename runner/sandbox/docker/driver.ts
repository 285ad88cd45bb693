import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import {
  SandboxInfrastructureError,
  type KillReason,
  type SandboxDriver,
  type SandboxHandle,
  type SandboxOutcome,
  type SandboxRun,
  type SandboxStreams,
} from "../driver";
import { writeInputDir } from "../input-dir";
import { RunClock } from "../run-clock";
import { DEFAULT_DEADLINE_GRACE_MS, DEFAULT_SWEEP_INTERVAL_MS, sandboxDeadline, sandboxOwner, Sweeper } from "../deadline";
import { killCgroup } from "../oci/cgroup-kill";
import { Launcher } from "../oci/launcher";
import { readCgroupStats, readCpuTimeMs, type CgroupStats } from "../oci/cgroup-stats";
import { containerCreateOptions } from "./create-options";

export interface DockerDriverOptions {
  docker: Docker;
  isPodman: boolean;
  image: string;
  workDir: string;
  cpuCores?: number;
  /** The AppArmor profile runs are confined with, where the host has AppArmor (see ../apparmor.ts). */
  apparmorProfile?: string;
  /**
   * The engine runs on this machine with cgroupfs cgroups under CGROUP_PARENT:
   * a guard process kills a container's cgroup if this runner dies (the engine
   * itself would keep it running). Elsewhere only the sweeps end it.
   */
  guardCgroups?: boolean;
  /** Beyond a run's own bounds, before any runner may end its container (SAM_WATCHDOG_GRACE_MS; see ../deadline.ts). */
  deadlineGraceMs?: number;
  /** How often this driver ends SAM's containers past their deadline, any runner's (SAM_SANDBOX_SWEEP_MS). */
  sweepIntervalMs?: number;
  /** Where the sweeps report what they ended. */
  log?: (message: string) => void;
  onClose?: () => Promise<void>;
}

/** Labels of every container SAM makes: the run, the runner that made it (sandboxOwner), when any runner may end it (ms since the epoch). */
const RUN_LABEL = "sam.run";
const OWNER_LABEL = "sam.owner";
const DEADLINE_LABEL = "sam.deadline";

const CGROUP_PARENT = "/sam-docker";
/** How long kill() waits for the container to be gone before it returns (the retries go on). */
const KILL_WAIT_MS = 5_000;
const KILL_RETRY_FOR_MS = 10 * 60_000;
// Unref'd: a kill's retries and waits never keep a stopping runner alive.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The design card's driver: dockerode speaking the Docker Engine API, to
 * Docker or to Podman's compatible service. Same image, same launcher, same
 * limits as the oci driver; the engine creates and destroys the container.
 *
 * The engine keeps a container running whatever becomes of the runner that
 * made it, so: a guard process kills it if this runner dies (guardCgroups);
 * every container carries its deadline in a label, and every runner removes
 * SAM's containers past theirs (../deadline.ts); a runner restarted on the
 * same data dir removes all of its own at once (the owner label).
 */
export class DockerDriver implements SandboxDriver {
  readonly name = "docker" as const;
  private readonly owner: string;
  private readonly ready: Promise<void>;
  private readonly sweeper: Sweeper;
  private readonly guards = new Launcher();
  private closing = false;

  constructor(private readonly opts: DockerDriverOptions) {
    fs.mkdirSync(path.join(opts.workDir, "inputs"), { recursive: true, mode: 0o700 });
    this.owner = sandboxOwner(opts.workDir);
    const log = (message: string) => opts.log?.(message);
    this.sweeper = new Sweeper(
      opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
      () => this.sweep(),
      (err) => log(`the sweep for sandboxes past their deadline failed: ${err.message}`),
    );
    this.ready = this.removeLeftovers().catch((err: Error) => log(`could not remove the containers a previous runner left: ${err.message}`));
    void this.ready.finally(() => this.closing || this.sweeper.start());
  }

  /** SAM's containers the engine holds, with their labels (running or not). */
  private async samContainers(label: string): Promise<Docker.ContainerInfo[]> {
    return this.opts.docker.listContainers({ all: true, filters: { label: [label] } });
  }

  private async removeContainer(id: string): Promise<void> {
    await this.opts.docker.getContainer(id).remove({ force: true, v: true });
  }

  /** What a runner that was killed on this data dir left: its containers and input dirs. */
  private async removeLeftovers(): Promise<void> {
    for (const c of await this.samContainers(`${OWNER_LABEL}=${this.owner}`)) await this.removeContainer(c.Id).catch(() => undefined);
    const inputs = path.join(this.opts.workDir, "inputs");
    for (const name of fs.readdirSync(inputs)) fs.rmSync(path.join(inputs, name), { recursive: true, force: true });
  }

  /** Removes every SAM container past its deadline, whichever runner made it (running or not). */
  private async sweep(): Promise<void> {
    const now = Date.now();
    const expired = (await this.samContainers(RUN_LABEL)).filter((c) => Number(c.Labels?.[DEADLINE_LABEL]) <= now);
    for (const c of expired) await this.removeContainer(c.Id).catch(() => undefined);
    if (expired.length) this.opts.log?.(`ended ${expired.length} sandbox(es) past their deadline: ${expired.map((c) => c.Id.slice(0, 12)).join(", ")}`);
  }

  async start(spec: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle> {
    const { docker, isPodman } = this.opts;
    const { limits } = spec;
    const inputDir = path.join(this.opts.workDir, "inputs", spec.id);
    let container: Docker.Container;
    await this.ready;
    try {
      writeInputDir(inputDir, spec);
      const deadline = sandboxDeadline(limits, this.opts.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS);
      container = await docker.createContainer(
        containerCreateOptions(spec, {
          image: this.opts.image,
          isPodman,
          inputDir,
          cpuCores: this.opts.cpuCores ?? 1,
          cgroupParent: CGROUP_PARENT,
          apparmorProfile: this.opts.apparmorProfile,
          labels: { [OWNER_LABEL]: this.owner, [DEADLINE_LABEL]: String(Math.ceil(deadline)) },
        }),
      );
    } catch (err) {
      fs.rmSync(inputDir, { recursive: true, force: true });
      throw new SandboxInfrastructureError(`could not create the container: ${(err as Error).message}`, { cause: err });
    }

    // The engine removes a container's cgroup when it stops, so the stats are sampled while it runs.
    const cgroups = [`${CGROUP_PARENT}/libpod-${container.id}`, `${CGROUP_PARENT}/${container.id}`];
    let killedFor: SandboxOutcome["killedFor"] = null;
    let gone = false;
    let killing: Promise<void> | undefined;
    const kill = async (reason: KillReason) => {
      killedFor ??= reason;
      clock.stop();
      killing ??= killUntilGone(container, cgroups, () => gone);
      await Promise.race([killing, sleep(KILL_WAIT_MS)]);
    };
    const clock = new RunClock({
      limits,
      marker: spec.env.SAM_MARKER,
      readCpuMs: () => cgroups.map(readCpuTimeMs).find((ms) => ms !== null) ?? null,
      kill: (reason) => void kill(reason),
    });
    const watched = clock.watch(streams);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on("data", (c: Buffer) => watched.stdout(c));
    stderr.on("data", (c: Buffer) => watched.stderr(c));
    let input: NodeJS.ReadWriteStream | undefined;
    let attached: NodeJS.ReadWriteStream | undefined;
    let outputEnded: Promise<unknown> = Promise.resolve();
    let guard: { release(): Promise<void> } | undefined;
    try {
      // From before the start: a runner that dies while the engine starts it leaves nothing running.
      if (this.opts.guardCgroups) guard = await this.guards.guard(cgroups);
      // Interactive: a hijacked connection carries the program's stdin one way and its output the other.
      attached = spec.interactive
        ? await attachWithStdin(docker, container.id)
        : ((await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadWriteStream);
      const stream = attached;
      outputEnded = new Promise((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
      });
      docker.modem.demuxStream(attached, stdout, stderr);
      await container.start();
      clock.containerStart();
      if (spec.interactive) {
        input = attached;
        // The run's own stdin comes first, then whatever is typed.
        if (spec.stdin) attached.write(spec.stdin);
      }
    } catch (err) {
      clock.stop();
      destroyStream(attached);
      await this.cleanup(container, inputDir);
      await guard?.release();
      throw new SandboxInfrastructureError(`could not start the container: ${(err as Error).message}`, { cause: err });
    }

    let last: CgroupStats = { cpuTimeMs: null, memoryPeakKb: null, oomKilled: false, memoryLimitHit: false, processLimitHit: false };
    const sampler = setInterval(() => {
      const cg = cgroups.find((c) => readCpuTimeMs(c) !== null);
      if (cg) last = readCgroupStats(cg);
    }, 50);

    const done = (async (): Promise<SandboxOutcome> => {
      try {
        const waited = (await container.wait()) as { StatusCode: number };
        gone = true;
        clock.stop();
        clearInterval(sampler);
        const info = await container.inspect().catch(() => undefined);
        const code = info?.State?.ExitCode ?? waited.StatusCode;
        const signal = code > 128 && code < 160 ? (Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0] ?? null) : null;
        // The last output may still be on its way: wait for the engine to end the stream (briefly: it should be at once).
        await Promise.race([outputEnded, new Promise((r) => setTimeout(r, 1000))]);
        await new Promise((r) => setImmediate(r));
        return {
          exitCode: signal ? null : code,
          signal,
          wallTimeMs: clock.wallTimeMs(),
          cpuTimeMs: clock.programCpuMs(last.cpuTimeMs),
          memoryKb: last.memoryPeakKb,
          oomKilled: Boolean(info?.State?.OOMKilled) || last.oomKilled,
          memoryLimitHit: last.memoryLimitHit,
          processLimitHit: last.processLimitHit,
          killedFor,
        };
      } catch (err) {
        throw new SandboxInfrastructureError(`lost the container while waiting for it: ${(err as Error).message}`, { cause: err });
      } finally {
        gone = true;
        clock.stop();
        clearInterval(sampler);
        destroyStream(attached);
        await this.cleanup(container, inputDir);
        await guard?.release();
      }
    })();
    const handle: SandboxHandle = { done, kill: (reason) => kill(reason) };
    if (input) {
      const stream = input;
      let ended = false;
      handle.stdin = {
        write: (data) => void (!ended && stream.write(data)),
        // Half-closes the connection: the engine closes the program's stdin (end of file); output keeps coming.
        end: () => {
          if (ended) return;
          ended = true;
          (stream as unknown as { end(): void }).end();
        },
      };
    }
    return handle;
  }

  private async cleanup(container: Docker.Container, inputDir: string) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    fs.rmSync(inputDir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.sweeper.stop();
    this.guards.close();
    await this.opts.onClose?.();
  }
}

/**
 * Attaches to a container's stdin, stdout and stderr over one hijacked
 * connection. dockerode's attach() also sends its options as the request's
 * JSON body, which on a hijacked connection reaches the program's stdin
 * (apocas/dockerode#742); an empty body avoids that and still sends the
 * request at once.
 */
function attachWithStdin(docker: Docker, containerId: string): Promise<NodeJS.ReadWriteStream> {
  return new Promise((resolve, reject) => {
    // An engine that never answers must not hold the run forever: the caller reports it and the job is retried.
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error("the engine did not answer the attach request in 30 s"));
    }, 30_000);
    docker.modem.dial(
      {
        path: `/containers/${containerId}/attach?`,
        method: "POST",
        isStream: true,
        hijack: true,
        openStdin: true,
        statusCodes: { 101: true, 200: true, 404: "no such container", 500: "server error" },
        options: { stream: true, stdin: true, stdout: true, stderr: true },
        file: Buffer.alloc(0),
      } as never,
      (err: unknown, stream: unknown) => {
        clearTimeout(timer);
        if (err) return reject(err as Error);
        const attached = stream as NodeJS.ReadWriteStream;
        // An answer after we gave up: nobody will use this connection.
        if (late) return destroyStream(attached);
        // Input typed after the program ended meets a closed connection: nothing to report.
        attached.on("error", () => undefined);
        resolve(attached);
      },
    );
  });
}

/**
 * Kills a container until the engine reports it gone: the engine's kill is
 * retried, and the container's cgroup killed as the backstop where this
 * runner can see it (the engine's cgroupfs layout under CGROUP_PARENT).
 */
async function killUntilGone(container: Docker.Container, cgroups: string[], gone: () => boolean): Promise<void> {
  const until = Date.now() + KILL_RETRY_FOR_MS;
  for (let round = 0; !gone() && Date.now() < until; round++) {
    await Promise.race([container.kill({ signal: "SIGKILL" }).catch(() => undefined), sleep(2000)]);
    if (round > 0) for (const cg of cgroups) await killCgroup(cg).catch(() => false);
    await sleep(Math.min(20 * 2 ** round, 1000));
  }
}

function destroyStream(stream: NodeJS.ReadWriteStream | undefined) {
  (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
}
