import { execFileSync } from "node:child_process";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../../lib/config/env";
import { ensureRootfs, ensureRuntimeImage } from "../images/runtime-image";
import type { SandboxDriver } from "./driver";
import { OciDriver } from "./oci/driver";
import { DockerDriver } from "./docker/driver";
import { connectDockerEngine } from "./docker/engine";

/** Whether the OCI runtime can run here: the binary answers, and we are root (it manages cgroups). */
export function ociAvailable(runtime: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync(runtime, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds (or finds) the runtime image and returns the driver the configuration
 * asks for: `oci` where it can run, `docker` otherwise, when set to `auto`.
 */
export async function createDriver(config: Config, log: Logger, signal?: AbortSignal, which = config.SAM_SANDBOX_DRIVER): Promise<SandboxDriver> {
  const kind = which === "auto" ? (ociAvailable(config.SAM_OCI_RUNTIME) ? "oci" : "docker") : which;
  const buildOptions = { engine: config.SAM_CONTAINER_ENGINE, log: (m: string) => log.info(m), signal };
  const tag = await ensureRuntimeImage(buildOptions);
  if (kind === "oci") {
    const rootfs = await ensureRootfs(buildOptions, tag, path.join(config.sandboxDir, "images"));
    log.info({ driver: "oci", runtime: config.SAM_OCI_RUNTIME, image: tag }, "sandbox driver ready");
    // Run state is per data dir (one runner each); unpacked images may be shared (SAM_SANDBOX_DIR).
    return new OciDriver({
      runtime: config.SAM_OCI_RUNTIME,
      rootfs,
      workDir: path.join(config.dataDir, "runs", "oci"),
      warmContainers: config.SAM_OCI_WARM_CONTAINERS,
    });
  }
  const engine = await connectDockerEngine(config, log);
  log.info({ driver: "docker", engine: engine.description, image: tag }, "sandbox driver ready");
  return new DockerDriver({ docker: engine.docker, isPodman: engine.isPodman, image: tag, workDir: path.join(config.dataDir, "runs", "docker"), onClose: engine.close });
}
