import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/**
 * Builds the runtime image from sandbox/images/runtime/Dockerfile and unpacks
 * its root filesystem for the oci driver. Each step runs only when its inputs
 * changed (the image tag is a hash of the build context).
 *
 * No registry is reachable on every machine, so the Dockerfile's base image is
 * bootstrapped from Debian's package archive with debootstrap when the engine
 * does not have it, and imported under the base image's own name: the same
 * Dockerfile then builds with or without a registry.
 */
export const CONTEXT_DIR = path.resolve(import.meta.dirname, "../../sandbox/images/runtime");
export const BASE_IMAGE = "docker.io/library/debian:bookworm-slim";

export interface ImageBuildOptions {
  /** podman (or docker) CLI used to build. */
  engine: string;
  log: (msg: string) => void;
  debianMirror?: string;
  /** Aborting (the runner is asked to stop) kills the build's child processes. */
  signal?: AbortSignal;
}

function engineArgs(engine: string): string[] {
  // Podman's default runtime (crun) fails on hybrid cgroups; runc works everywhere.
  return path.basename(engine) === "podman" ? ["--runtime", "runc", "--cgroup-manager", "cgroupfs"] : [];
}

export function runtimeImageTag(contextDir = CONTEXT_DIR): string {
  const hash = createHash("sha256");
  for (const name of fs.readdirSync(contextDir).sort()) hash.update(name).update(fs.readFileSync(path.join(contextDir, name)));
  return `localhost/sam-runtime:${hash.digest("hex").slice(0, 16)}`;
}

async function imageExists(engine: string, tag: string): Promise<boolean> {
  return exec(engine, [...engineArgs(engine), "image", "inspect", tag]).then(
    () => true,
    () => false,
  );
}

async function ensureBaseImage(opts: ImageBuildOptions): Promise<void> {
  if (await imageExists(opts.engine, BASE_IMAGE)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sam-debootstrap-"));
  try {
    opts.log(`bootstrapping ${BASE_IMAGE} from Debian's archive (debootstrap, about a minute)`);
    await exec("debootstrap", ["--variant=minbase", "bookworm", dir, opts.debianMirror ?? "http://deb.debian.org/debian"], {
      maxBuffer: 64 * 1024 * 1024,
      signal: opts.signal,
    });
    // Like the official slim image: no package lists or caches baked in.
    for (const p of ["var/lib/apt/lists", "var/cache/apt/archives"]) fs.rmSync(path.join(dir, p), { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "var/lib/apt/lists/partial"), { recursive: true });
    // Through a file: podman cannot write to or read from the socket pairs Node uses as pipes.
    await exec("tar", ["-C", dir, "-cf", `${dir}.tar`, "."], { signal: opts.signal });
    await exec(opts.engine, [...engineArgs(opts.engine), "import", `${dir}.tar`, BASE_IMAGE], { signal: opts.signal });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}.tar`, { force: true });
  }
}

export async function ensureRuntimeImage(opts: ImageBuildOptions): Promise<string> {
  const tag = runtimeImageTag();
  if (await imageExists(opts.engine, tag)) return tag;
  await ensureBaseImage(opts);
  opts.log(`building the runtime image ${tag} (toolchains for every language; a few minutes the first time)`);
  await exec(
    opts.engine,
    [...engineArgs(opts.engine), "build", "--network", "host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", "-t", tag, CONTEXT_DIR],
    { maxBuffer: 256 * 1024 * 1024, signal: opts.signal },
  );
  return tag;
}

/** The image's root filesystem as a plain directory (for the oci driver), unpacked once per image. */
export async function ensureRootfs(opts: ImageBuildOptions, tag: string, imagesDir: string): Promise<string> {
  const target = path.join(imagesDir, tag.split(":")[1] ?? "latest");
  const rootfs = path.join(target, "rootfs");
  if (fs.existsSync(path.join(target, ".complete"))) return rootfs;
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(rootfs, { recursive: true, mode: 0o755 });
  opts.log(`unpacking ${tag} for the oci driver`);
  const { stdout } = await exec(opts.engine, [...engineArgs(opts.engine), "create", tag]);
  const container = stdout.trim();
  const archive = `${target}.tar`;
  try {
    await exec(opts.engine, [...engineArgs(opts.engine), "export", "-o", archive, container], { signal: opts.signal });
    await exec("tar", ["-C", rootfs, "-xf", archive, "--no-same-owner", "--preserve-permissions"], { signal: opts.signal });
  } finally {
    fs.rmSync(archive, { force: true });
    await exec(opts.engine, [...engineArgs(opts.engine), "rm", "-f", container]).catch(() => undefined);
  }
  fs.chmodSync(target, 0o755);
  fs.writeFileSync(path.join(target, ".complete"), tag);
  return rootfs;
}
