import fs from "node:fs";
import path from "node:path";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { ConfigMap, Namespace, Service } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";

/**
 * deploy/k8s against the Kubernetes and KEDA schemas (kubernetes-models,
 * @kubernetes-models/keda: each document becomes its model and validate()
 * throws on a field the API would reject), and the promises the manifests make:
 * only the runner is privileged and only in its own namespace, the runner never
 * gets SAM_SECRET, the runner count follows the queue through KEDA, web and
 * collab follow CPU.
 */
const ROOT = path.resolve(import.meta.dirname, "../../deploy/k8s");

// Every kind the folder may hold, with its model; any other kind fails the test.
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
};

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

interface Doc {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

const docs: Doc[] = yamlFiles(ROOT).flatMap((file) =>
  parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return { file: path.relative(ROOT, file), ...(d.toJS() as Omit<Doc, "file">) };
  }),
);
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
const pod = (name: string) => find("Deployment", name)!.spec.template.spec;

describe("deploy/k8s manifests", () => {
  it("hold web, collab and runner, and optional PostgreSQL and Redis in backing/", () => {
    expect(
      docs
        .filter((d) => d.kind === "Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["sam-collab", "sam-runner", "sam-web"]);
    expect(
      docs
        .filter((d) => d.kind === "StatefulSet")
        .map((d) => d.file)
        .sort(),
    ).toEqual(["backing/postgres.yaml", "backing/redis.yaml"]);
  });

  it("each validate against the Kubernetes or KEDA schema", () => {
    expect(docs.length).toBeGreaterThan(10);
    for (const doc of docs) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `${doc.file}: ${doc.apiVersion} ${doc.kind} has no model here`).toBeDefined();
      const { file, ...data } = doc;
      expect(() => new Model!(data).validate(), `${file}: ${doc.kind} ${doc.metadata.name}`).not.toThrow();
    }
  });

  it("the schema check itself rejects a wrong field (so the test above means something)", () => {
    const { file: _f, ...runner } = find("Deployment", "sam-runner")!;
    const broken = structuredClone(runner);
    broken.spec.replicas = "many";
    expect(() => new Deployment(broken as any).validate()).toThrow();
    const { file: _g, ...scaled } = find("ScaledObject", "sam-runner")!;
    const wrong = structuredClone(scaled);
    wrong.spec.minReplicaCount = "one";
    expect(() => new ScaledObject(wrong as any).validate()).toThrow();
  });

  it("puts every namespaced object in a namespace the folder creates, and refers only to things that exist or that README.md says to create", () => {
    const namespaces = docs.filter((d) => d.kind === "Namespace").map((d) => d.metadata.name);
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const d of docs.filter((d) => d.kind !== "Namespace")) {
      expect(namespaces, `${d.file}: ${d.kind} ${d.metadata.name}`).toContain(d.metadata.namespace);
    }
    for (const d of docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")) {
      for (const c of d.spec.template.spec.containers) {
        for (const ref of c.envFrom ?? []) {
          if (ref.configMapRef)
            expect(docs.some((x) => x.kind === "ConfigMap" && x.metadata.name === ref.configMapRef.name && x.metadata.namespace === d.metadata.namespace)).toBe(
              true,
            );
          if (ref.secretRef) expect(readme).toContain(`secret generic ${ref.secretRef.name} --namespace ${d.metadata.namespace}`);
        }
        for (const e of c.env ?? [])
          if (e.valueFrom?.secretKeyRef) expect(readme).toContain(`secret generic ${e.valueFrom.secretKeyRef.name} --namespace ${d.metadata.namespace}`);
      }
    }
  });

  it("makes only the runner privileged, in a namespace of its own, without the signing secret or an API token", () => {
    const namespaces = Object.fromEntries(
      docs.filter((d) => d.kind === "Namespace").map((d) => [d.metadata.name, d.metadata.labels?.["pod-security.kubernetes.io/enforce"]]),
    );
    for (const d of docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")) {
      const spec = d.spec.template.spec;
      const privileged = spec.containers.some((c: any) => c.securityContext?.privileged === true);
      expect(privileged, d.metadata.name).toBe(d.metadata.name === "sam-runner");
      expect(namespaces[d.metadata.namespace!], d.metadata.name).toBe(privileged ? "privileged" : "restricted");
      expect(spec.automountServiceAccountToken, d.metadata.name).toBe(false);
      expect(spec.hostPID || spec.hostNetwork || spec.hostIPC || false, d.metadata.name).toBe(false);
      expect(spec.volumes?.some((v: any) => v.hostPath) ?? false, d.metadata.name).toBe(false);
      if (!privileged) {
        for (const c of spec.containers)
          expect(c.securityContext, `${d.metadata.name}/${c.name}`).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
      }
    }
    const runner = pod("sam-runner").containers[0];
    expect(JSON.stringify(runner)).not.toContain("sam-signing");
    expect(JSON.stringify(runner)).not.toContain("SAM_SECRET");
    for (const name of ["sam-web", "sam-collab"]) expect(JSON.stringify(pod(name).containers[0].envFrom)).toContain("sam-signing");
  });

  it("scales the runner with KEDA on queued plus running runs, at the runner's concurrency, and drains within the grace period", () => {
    const scaled = find("ScaledObject", "sam-runner")!;
    expect(scaled.metadata.namespace).toBe("sam-runner");
    expect(scaled.spec.scaleTargetRef.name).toBe("sam-runner");
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe("prometheus");
    // sam_queue_jobs{state="waiting"} counts waiting plus prioritized (BullMQ's sorted set of jobs with a priority).
    expect(trigger.metadata.query).toContain('sam_queue_jobs{state="waiting"}');
    expect(trigger.metadata.query).toContain('sam_queue_jobs{state="active"}');
    const runnerConfig = find("ConfigMap", "sam-runner-config")!.data!;
    expect(trigger.metadata.threshold).toBe(runnerConfig.SAM_RUNNER_CONCURRENCY);
    const drainSeconds = Number(runnerConfig.SAM_RUNNER_DRAIN_MS) / 1000;
    expect(drainSeconds).toBeGreaterThan(0);
    expect(pod("sam-runner").terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds);
    // Runs execute inside the pod's memory cgroup.
    const limit = pod("sam-runner").containers[0].resources.limits.memory as string;
    expect(Number(limit.replace(/Gi$/, "")) * 1024).toBeGreaterThan(Number(runnerConfig.SAM_RUNNER_CONCURRENCY) * Number(runnerConfig.SAM_MAX_MEMORY_MB));
  });

  it("scales web and collab on CPU with an HPA each", () => {
    for (const name of ["sam-web", "sam-collab"]) {
      const hpa = find("HorizontalPodAutoscaler", name)!;
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
      expect(hpa.spec.metrics).toEqual([
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: expect.any(Number) } } },
      ]);
      expect(find("Service", name)).toBeDefined();
    }
  });

  it("runs the runner through the entry point that hands cgroup controllers to the runs", () => {
    const command = pod("sam-runner").containers[0].command as string[];
    expect(command[0]).toBe("/app/deploy/container/runner-entrypoint.sh");
    const script = path.resolve(ROOT, "../container/runner-entrypoint.sh");
    expect(fs.statSync(script).mode & 0o111).not.toBe(0);
  });
});
