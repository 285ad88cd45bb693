import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import type { Logger } from "pino";
import type { Config } from "../../../lib/config/env";

/**
 * A connection to a Docker Engine API: DOCKER_HOST when set, else the local
 * Docker socket, else Podman's Docker-compatible service, which we start
 * ourselves (on a socket under SAM_DATA_DIR) when there is no Docker.
 */
export interface DockerEngine {
  docker: Docker;
  description: string;
  isPodman: boolean;
  close: () => Promise<void>;
}

const DOCKER_SOCKET = "/var/run/docker.sock";

export async function connectDockerEngine(config: Config, log: Logger): Promise<DockerEngine> {
  let docker: Docker;
  let service: ChildProcess | undefined;
  if (config.DOCKER_HOST) {
    docker = new Docker(dockerOptions(config.DOCKER_HOST));
  } else if (fs.existsSync(DOCKER_SOCKET)) {
    docker = new Docker({ socketPath: DOCKER_SOCKET });
  } else {
    const socket = path.join(config.dataDir, "run", `podman-${process.pid}.sock`);
    fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    fs.rmSync(socket, { force: true });
    log.info({ socket }, "no Docker engine found; starting Podman's Docker-compatible API service");
    // runc: Podman's default (crun) fails on hybrid cgroup hosts.
    service = spawn(
      "podman",
      ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "system", "service", "--time=0", `unix://${socket}`],
      { stdio: "ignore", detached: true },
    );
    const deadline = Date.now() + 20_000;
    while (!fs.existsSync(socket)) {
      if (service.exitCode !== null || Date.now() > deadline) throw new Error("podman system service did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    docker = new Docker({ socketPath: socket });
  }
  const version = await docker.version();
  const isPodman = (version.Components ?? []).some((c) => /podman/i.test(c.Name));
  return {
    docker,
    isPodman,
    description: `${isPodman ? "Podman" : "Docker"} ${version.Version}`,
    close: async () => {
      if (service && service.exitCode === null) {
        service.kill("SIGTERM");
        await new Promise((r) => service!.once("exit", r));
      }
    },
  };
}

function dockerOptions(host: string): Docker.DockerOptions {
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === "https:" ? "https" : "http" };
}
