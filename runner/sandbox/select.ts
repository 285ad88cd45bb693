import { execFileSync } from "node:child_process";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../../lib/config/env";
import { ensureRootfs, ensureRuntimeImage, preparedRootfsTag } from "../images/runtime-image";
import type { SandboxDriver } from "./driver";
import { detectAppArmor, prepareAppArmor } from "./apparmor";
import { OciDriver } from "./oci/driver";
import { BwrapDriver } from "./bwrap/driver";
import { UidRangeAllocator } from "./oci/uid-ranges";
import { blocksInUse } from "./oci/run-registry";
import { DockerDriver } from "./docker/driver";
import { connectDockerEngine, ensureUserNamespaces } from "./docker/engine";
import { activeSwapKb, assertSwapContained, cgroupLimitsSwap } from "./swap";

function answers(binary: string): boolean {
  try {
    execFileSync(binary, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The OCI runtime to use: the configured one, or for `auto` crun where it is
 * installed (written in C, it starts a container in about half the time and
 * CPU of runc), else runc. Null when none answers, or when we are not root
 * (the driver manages cgroups).
 */
export function resolveOciRuntime(setting: string): string | null {
  if (process.getuid?.() !== 0) return null;
  const candidates = setting === "auto" ? ["crun", "runc"] : [setting];
  return candidates.find(answers) ?? null;
}

/**
 * Builds (or finds) the runtime image and returns the driver the configuration
 * asks for: `oci` where it can run, `docker` otherwise, when set to `auto`.
 * Refuses to start (throws, saying what to change) where a run would be less
 * contained than promised: swap the cgroups cannot limit, a container engine
 * without user namespaces, host uid ranges that overlap /etc/subuid, or an
 * AppArmor host where the profile cannot be loaded.
 */
export async function createDriver(config: Config, log: Logger, signal?: AbortSignal, which = config.SAM_SANDBOX_DRIVER): Promise<SandboxDriver> {
  const runtime = resolveOciRuntime(config.SAM_OCI_RUNTIME);
  const kind = which === "auto" ? (runtime ? "oci" : "docker") : which;
  const buildOptions = { engine: config.SAM_CONTAINER_ENGINE, log: (m: string) => log.info(m), signal };
  const warn = (msg: string) => log.warn(msg);
  const info = (msg: string) => log.info(msg);
  // What every driver needs to end sandboxes their runner left (see deadline.ts).
  const orphans = { deadlineGraceMs: config.SAM_WATCHDOG_GRACE_MS, sweepIntervalMs: config.SAM_SANDBOX_SWEEP_MS, log: warn };
  if (kind === "bwrap") {
    // As the oci driver: the same host checks, uid blocks and unpacked image, without an OCI runtime.
    assertSwapContained({ activeSwapKb: activeSwapKb(), limitable: cgroupLimitsSwap(), source: "the memory cgroup" }, config.SAM_ALLOW_UNLIMITED_SWAP, warn);
    if (process.getuid?.() !== 0 || !answers("bwrap"))
      throw new Error("SAM_SANDBOX_DRIVER=bwrap needs root and bubblewrap (apt-get install bubblewrap) installed");
    // bwrap's mounts would run under the profile, which refuses them: not a sandbox we can confine as the oci driver does.
    if (detectAppArmor().enabled) throw new Error("SAM_SANDBOX_DRIVER=bwrap cannot apply the AppArmor profile on this AppArmor host: use oci");
    const uidRanges = new UidRangeAllocator(config.SAM_OCI_UID_BASE, config.SAM_OCI_UID_RANGES, undefined, () => blocksInUse());
    const tag = preparedRootfsTag(path.join(config.sandboxDir, "images")) ?? (await ensureRuntimeImage(buildOptions));
    const rootfs = await ensureRootfs(buildOptions, tag, path.join(config.sandboxDir, "images"));
    log.info({ driver: "bwrap", image: tag }, "sandbox driver ready");
    return new BwrapDriver({
      rootfs,
      workDir: path.join(config.dataDir, "runs", "bwrap"),
      warmSandboxes: config.SAM_OCI_WARM_CONTAINERS,
      uidRanges,
      ...orphans,
    });
  }
  if (kind === "oci") {
    // The host's policy first: refusing takes a moment, building the image minutes.
    assertSwapContained({ activeSwapKb: activeSwapKb(), limitable: cgroupLimitsSwap(), source: "the memory cgroup" }, config.SAM_ALLOW_UNLIMITED_SWAP, warn);
    const uidRanges = new UidRangeAllocator(config.SAM_OCI_UID_BASE, config.SAM_OCI_UID_RANGES, undefined, () => blocksInUse());
    const apparmorProfile = prepareAppArmor(detectAppArmor(), info) ?? undefined;
    const tag = preparedRootfsTag(path.join(config.sandboxDir, "images")) ?? (await ensureRuntimeImage(buildOptions));
    const rootfs = await ensureRootfs(buildOptions, tag, path.join(config.sandboxDir, "images"));
    if (!runtime) throw new Error(`SAM_SANDBOX_DRIVER=oci needs root and the OCI runtime (${config.SAM_OCI_RUNTIME}) installed`);
    log.info({ driver: "oci", runtime, image: tag }, "sandbox driver ready");
    // Run state is per data dir (one runner each); unpacked images may be shared (SAM_SANDBOX_DIR).
    return new OciDriver({
      runtime,
      rootfs,
      workDir: path.join(config.dataDir, "runs", "oci"),
      warmContainers: config.SAM_OCI_WARM_CONTAINERS,
      uidRanges,
      apparmorProfile,
      ...orphans,
    });
  }
  const tag = await ensureRuntimeImage(buildOptions);
  const engine = await connectDockerEngine(config, log);
  let apparmorProfile: string | undefined;
  try {
    await ensureUserNamespaces(engine, tag);
    const engineInfo = (await engine.docker.info()) as { SwapLimit?: boolean };
    const swap = { activeSwapKb: engine.local ? activeSwapKb() : null, limitable: engineInfo.SwapLimit === true, source: `the engine (${engine.description})` };
    assertSwapContained(swap, config.SAM_ALLOW_UNLIMITED_SWAP, warn);
    // The profile must be in the engine's kernel: loaded from here only when the engine runs here.
    if (engine.local) apparmorProfile = prepareAppArmor(detectAppArmor(), info) ?? undefined;
    else info("remote container engine: runs get the engine's own default AppArmor profile, if its host has AppArmor");
  } catch (err) {
    await engine.close();
    throw err;
  }
  log.info({ driver: "docker", engine: engine.description, image: tag }, "sandbox driver ready");
  return new DockerDriver({
    docker: engine.docker,
    isPodman: engine.isPodman,
    image: tag,
    workDir: path.join(config.dataDir, "runs", "docker"),
    apparmorProfile,
    guardCgroups: engine.local,
    ...orphans,
    onClose: engine.close,
  });
}
