import os from "node:os";
import { Worker, type Job } from "bullmq";
import type { ServiceContext } from "../lib/services/service";
import { CANCEL_CHANNEL, EXECUTION_QUEUE, MAX_ATTEMPTS, type ExecutionJob } from "../lib/executions/queue";
import { publishRuntimes, withdrawRuntimes } from "../lib/executions/runtimes";
import { createRedis } from "../lib/redis/connection";
import { loadCatalogue, type LanguageDefinition } from "./languages/catalogue";
import { probeLanguages } from "./languages/probe";
import { cancelRunning, finishWithInternalError, processExecution, type ProcessDeps } from "./queue/process-execution";
import { createDriver } from "./sandbox/select";
import type { SandboxHandle } from "./sandbox/driver";

/**
 * The runner's work: prepare the sandbox image and driver, verify each
 * language with its test program, offer the languages that passed, then take
 * execution jobs from the queue. A failing program is a result; a thrown error
 * (the sandbox itself failed) makes BullMQ retry the job with backoff.
 */
export async function startRunner(ctx: ServiceContext): Promise<() => Promise<void>> {
  const { config, log } = ctx;
  const driver = await createDriver(config, log);
  const accepted = await probeLanguages(driver, loadCatalogue(), config.limits, log);
  log.info({ languages: accepted.map((a) => `${a.runtime.language} ${a.runtime.version}`) }, `${accepted.length} language(s) verified`);

  const runnerId = `${os.hostname()}:${process.pid}`;
  const runtimes = accepted.map((a) => a.runtime);
  const publish = () => publishRuntimes(ctx.redis, runnerId, runtimes).catch((err) => log.warn({ err: err.message }, "could not publish runtimes"));
  await publish();
  const republish = setInterval(publish, 10_000);

  const running = new Map<string, SandboxHandle>();
  const deps: ProcessDeps = {
    db: ctx.db,
    redis: ctx.redis,
    driver,
    languages: new Map<string, LanguageDefinition>(accepted.map((a) => [a.definition.language, a.definition])),
    diskMb: config.limits.diskMb,
    log,
    running,
    stopping: false,
  };

  // Cancellations arrive by pub/sub; only the runner holding the run acts on it.
  const subscriber = createRedis(process.env.REDIS_URL!);
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on("message", (_channel, id: string) => void cancelRunning(deps, id));

  const worker = new Worker<ExecutionJob>(
    EXECUTION_QUEUE,
    async (job: Job<ExecutionJob>) => processExecution(deps, job.data.executionId),
    {
      connection: createRedis(process.env.REDIS_URL!),
      concurrency: config.SAM_RUNNER_CONCURRENCY,
      // A runner that dies mid-run stops renewing its lock; the job is then retried elsewhere.
      lockDuration: 15_000,
      stalledInterval: 5_000,
      maxStalledCount: MAX_ATTEMPTS - 1,
    },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than allowable/.test(err.message);
    log.warn({ executionId: job.data.executionId, attempt: job.attemptsMade, final, err: err.message }, "execution attempt failed");
    if (final) void finishWithInternalError(deps, job.data.executionId, err.message);
  });
  worker.on("error", (err) => log.error({ err: err.message }, "queue worker error"));
  log.info({ concurrency: config.SAM_RUNNER_CONCURRENCY, driver: driver.name }, "taking execution jobs");

  return async () => {
    clearInterval(republish);
    // Runs in progress are ended and their jobs retried by another runner (not reported as results).
    deps.stopping = true;
    await Promise.all([...running.values()].map((h) => h.kill("requested")));
    await withdrawRuntimes(ctx.redis, runnerId).catch(() => undefined);
    await worker.close();
    await subscriber.quit().catch(() => subscriber.disconnect());
    await driver.close();
  };
}
