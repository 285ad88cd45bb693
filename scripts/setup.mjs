#!/usr/bin/env node
// Gets this checkout ready to run, and does only what is missing:
//   1. Node.js version check;
//   2. OS packages (PostgreSQL, Redis, Chromium for tests): as root installs the
//      missing ones with apt-get, otherwise prints the exact command and exits 1;
//      and a subordinate id range for Podman's per-container user namespaces;
//   3. npm dependencies (npm ci when node_modules is missing or older than the lock);
//   4. the Prisma client (prisma generate) and the Next.js build, when their inputs changed.
// Plain JavaScript with no dependencies, because it runs before `npm ci`.
//
// Usage: node scripts/setup.mjs <start|web|service|build|test>
//   start    everything `npm start` needs (embedded PostgreSQL/Redis unless their URLs are set)
//   web      the web process alone against shared servers
//   service  collab alone against shared servers
//   runner   the runner alone against shared servers (needs the sandbox tools)
//   build    dependencies and build only
//   test     everything the test suite needs
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const mode = process.argv[2] ?? "start";
const say = (msg) => process.stderr.write(`[setup] ${msg}\n`);

function fail(msg) {
  say(msg);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
}

// 1. Node.js
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js >= 20.19 is required; this is ${process.version}`);

// 2. OS packages: [apt package, how to tell it is installed]
const hasCommand = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
const hasPostgres = () =>
  fs.existsSync("/usr/lib/postgresql") && fs.readdirSync("/usr/lib/postgresql").some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/postgres`));
const wanted = [];
const embedded = mode === "start" || mode === "test";
if (embedded && (mode === "test" || !process.env.DATABASE_URL)) wanted.push(["postgresql", hasPostgres]);
if (embedded && (mode === "test" || !process.env.REDIS_URL)) wanted.push(["redis-server", () => hasCommand("redis-server")]);
if (mode === "test") wanted.push(["chromium", () => fs.existsSync("/usr/bin/chromium")]);
// apparmor_parser: the tests check that sandbox/apparmor/sam-sandbox parses (without loading it).
if (mode === "test") wanted.push(["apparmor", () => fs.existsSync("/usr/sbin/apparmor_parser") || fs.existsSync("/sbin/apparmor_parser")]);
// The runner: crun and runc (the oci driver's runtimes: crun is the faster, the tests cover both), podman (builds the image; Docker-compatible API for the docker driver),
// debootstrap (the image's Debian base where no registry is reachable).
if (mode === "start" || mode === "test" || mode === "runner") {
  wanted.push(
    ["crun", () => hasCommand("crun")],
    ["runc", () => hasCommand("runc")],
    ["podman", () => hasCommand("podman")],
    ["debootstrap", () => hasCommand("debootstrap")],
    // The bwrap driver: bubblewrap, and libseccomp's Python binding that compiles the seccomp profile for it.
    ["bubblewrap", () => hasCommand("bwrap")],
    ["python3-seccomp", () => fs.existsSync("/usr/bin/python3") && spawnSync("/usr/bin/python3", ["-c", "import seccomp"]).status === 0],
  );
  wanted.push(["uidmap", () => hasCommand("newuidmap")]);
}
const missing = wanted.filter(([, present]) => !present()).map(([pkg]) => pkg);
if (missing.length) {
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (process.getuid?.() !== 0) {
    fail(`Missing OS packages: ${missing.join(", ")}. Install them as root, then run this again:\n  sudo sh -c '${command}'`);
  }
  say(`installing OS packages: ${missing.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("sh", ["-c", command], { env });
  // Debian's postgresql package starts a system-wide cluster; SAM runs its own and does not need it.
  if (missing.includes("postgresql"))
    spawnSync("sh", ["-c", "command -v pg_ctlcluster >/dev/null && pg_lsclusters -h | awk '{print $1, $2}' | xargs -r -n2 pg_ctlcluster stop"], {
      stdio: "ignore",
    });
}

// 2b. Podman gives each docker-driver container a user namespace of its own (UsernsMode "auto"), with
// ids from the `containers` user's range in /etc/subuid and /etc/subgid. As root, add one where there
// is none: 1024 blocks of 65536 from 0x78000000, outside what useradd hands out (100000..600100000)
// and the oci driver's default blocks (SAM_OCI_UID_BASE, from 0x70000000).
if ((mode === "start" || mode === "test" || mode === "runner") && process.getuid?.() === 0) {
  const range = { start: 0x78000000, count: 0x4000000 };
  for (const file of ["/etc/subuid", "/etc/subgid"]) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const lines = text.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
    if (lines.some((l) => l.startsWith("containers:"))) continue;
    const clash = lines.find((l) => {
      const [, start, count] = l.split(":").map(Number);
      return start < range.start + range.count && start + count > range.start;
    });
    if (clash) {
      say(
        `not adding a range for Podman's containers user to ${file}: ${range.start}..${range.start + range.count - 1} overlaps "${clash}"; add a free one by hand`,
      );
      continue;
    }
    say(`adding containers:${range.start}:${range.count} to ${file} (Podman's per-container user namespaces)`);
    fs.appendFileSync(file, `${text && !text.endsWith("\n") ? "\n" : ""}containers:${range.start}:${range.count}\n`);
  }
}

// 3. npm dependencies
const installed = path.join(root, "node_modules", ".package-lock.json");
const lock = path.join(root, "package-lock.json");
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  say("installing npm dependencies (npm ci)");
  // --include=dev: the build and the tests need them even where NODE_ENV=production.
  run("npm", ["ci", "--include=dev", "--no-audit", "--no-fund"]);
}

// 4. Generated code and the production build, each rebuilt only when its inputs change.
function hashOf(paths) {
  const hash = createHash("sha256");
  const walk = (p) => {
    if (!fs.existsSync(p)) return;
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) if (name !== "generated" && name !== "node_modules") walk(path.join(p, name));
    } else {
      hash.update(path.relative(root, p)).update(fs.readFileSync(p));
    }
  };
  paths.forEach((p) => walk(path.join(root, p)));
  return hash.digest("hex");
}

function rebuildIfChanged(name, stampFile, inputs, build) {
  const stamp = path.join(root, stampFile);
  const want = hashOf(inputs);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want) return;
  say(`${name}: inputs changed, rebuilding`);
  build();
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, want);
}

// `prisma generate` needs no engine, but looks for one unless this points at any file (see MACHINE-NOTES).
const prismaEnv = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
rebuildIfChanged("prisma client", "lib/db/generated/.inputs-hash", ["prisma/schema.prisma", "package-lock.json"], () =>
  run("npx", ["prisma", "generate"], { env: prismaEnv }),
);
if (mode !== "service" && mode !== "runner") {
  rebuildIfChanged(
    "web build",
    ".next/.inputs-hash",
    ["app", "lib", "public", "proxy.ts", "next.config.mjs", "tsconfig.json", "package-lock.json", "prisma/schema.prisma", "types"],
    () => run("npx", ["next", "build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } }),
  );
}

// The test suite needs the sandbox image; building it can take minutes on a new machine.
if (mode === "test") {
  run(process.execPath, ["--import", "tsx", "scripts/build-sandbox.ts", process.env.SAM_TEST_SANDBOX_DIR ?? "/var/tmp/sam-test-sandbox"]);
}
