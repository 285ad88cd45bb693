import fs from "node:fs";
import Docker from "dockerode";
import type { Logger } from "pino";
import type { Config } from "../../../lib/config/env";
import { PODMAN_USERNS } from "./create-options";
import { startPodmanService, type PodmanService } from "./podman-service";

/**
 * A connection to a Docker Engine API: DOCKER_HOST when set, else the local
 * Docker socket, else Podman's Docker-compatible service, which we start
 * ourselves (on a socket under SAM_DATA_DIR, bound to this process's life:
 * see podman-service.ts) when there is no Docker.
 */
export interface DockerEngine {
  docker: Docker;
  description: string;
  isPodman: boolean;
  /** The engine runs on this machine (a unix socket), so it sees this machine's kernel and files. */
  local: boolean;
  close: () => Promise<void>;
}

const DOCKER_SOCKET = "/var/run/docker.sock";

export async function connectDockerEngine(config: Config, log: Logger): Promise<DockerEngine> {
  let docker: Docker;
  let service: PodmanService | undefined;
  if (config.DOCKER_HOST) {
    docker = new Docker(dockerOptions(config.DOCKER_HOST));
  } else if (fs.existsSync(DOCKER_SOCKET)) {
    docker = new Docker({ socketPath: DOCKER_SOCKET });
  } else {
    service = await startPodmanService(config.dataDir, log);
    docker = new Docker({ socketPath: service.socket });
  }
  let version: Docker.DockerVersion;
  try {
    version = await docker.version();
  } catch (err) {
    await service?.stop();
    throw err;
  }
  const isPodman = (version.Components ?? []).some((c) => /podman/i.test(c.Name));
  return {
    docker,
    isPodman,
    description: `${isPodman ? "Podman" : "Docker"} ${version.Version}`,
    local: !config.DOCKER_HOST || config.DOCKER_HOST.startsWith("unix://"),
    close: async () => {
      await service?.stop();
    },
  };
}

function dockerOptions(host: string): Docker.DockerOptions {
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === "https:" ? "https" : "http" };
}

/**
 * Why this engine would run programs as host users, or null if it will not:
 * Docker must remap every container (userns-remap) or run rootless, which
 * `docker info` lists under SecurityOptions. Podman gives each container a
 * user namespace of its own when asked (see create-options.ts), which
 * ensureUserNamespaces checks it can.
 */
export function userNamespaceProblem(info: { SecurityOptions?: string[] | null }, isPodman: boolean): string | null {
  if (isPodman) return null;
  const options = info.SecurityOptions ?? [];
  if (options.some((o) => /(^|,)name=(userns|rootless)(,|$)/.test(o))) return null;
  return (
    "the Docker engine runs containers without a user namespace (docker info lists neither userns nor rootless under Security Options), " +
    "so every program would run as host uid 1000 and share that user's process and inotify quotas across runs. " +
    'Enable user-namespace remapping ("userns-remap": "default" in /etc/docker/daemon.json, then restart dockerd), use rootless Docker, ' +
    "or use the oci driver (SAM_SANDBOX_DRIVER=oci)"
  );
}

/** Refuses to start the docker driver unless every container gets its own user namespace (see userNamespaceProblem). */
export async function ensureUserNamespaces(engine: DockerEngine, image: string): Promise<void> {
  const problem = userNamespaceProblem((await engine.docker.info()) as { SecurityOptions?: string[] }, engine.isPodman);
  if (problem) throw new Error(problem);
  if (!engine.isPodman) return;
  // Podman allocates each container's ids from the `containers` user's /etc/subuid range: a container made (not started) shows it can.
  try {
    const probe = await engine.docker.createContainer({ Image: image, Cmd: ["true"], HostConfig: { UsernsMode: PODMAN_USERNS } });
    await probe.remove({ force: true }).catch(() => undefined);
  } catch (err) {
    throw new Error(
      `Podman cannot give each container a user namespace of its own (UsernsMode "${PODMAN_USERNS}"): ${(err as Error).message}. ` +
        "Give the containers user a range of subordinate ids outside every other entry and SAM_OCI_UID_BASE's, e.g. " +
        "`echo containers:2013265920:67108864 | tee -a /etc/subuid /etc/subgid` (npm start and npm test add it when run as root)",
      { cause: err },
    );
  }
}
