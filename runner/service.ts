import os from "node:os";
import type { ServiceContext } from "../lib/services/service";
import { CANCEL_CHANNEL } from "../lib/executions/queue";
import { OutputBudget } from "../lib/executions/output-budget";
import { publishRuntimes, withdrawRuntimes } from "../lib/executions/runtimes";
import { createRedis } from "../lib/redis/connection";
import { RunMetrics } from "../lib/metrics/runs";
import { CompileCacheMetrics } from "../lib/metrics/compile-cache";
import { CompileCache } from "./execution/compile-cache";
import { runtimeImageTag } from "./images/runtime-image";
import { loadCatalogue, type LanguageDefinition } from "./languages/catalogue";
import { probeLanguages } from "./languages/probe";
import { cancelRunning, type ProcessDeps } from "./queue/process-execution";
import { startLostRunSweep } from "./queue/lost-runs";
import { startRetention } from "./queue/retention";
import { Watchdog } from "./queue/watchdog";
import { createExecutionWorker } from "./queue/worker";
import { createDriver } from "./sandbox/select";
import { drainBeforeStop, joinSupervisorPool, RunnerActivity } from "./pool-member";
import type { SandboxHandle } from "./sandbox/driver";

/**
 * The runner's work: prepare the sandbox image and driver, verify each
 * language with its test program, offer the languages that passed, then take
 * execution jobs from the queue. A failing program is a result; a thrown error
 * (the sandbox itself failed) makes BullMQ retry the job with backoff.
 */
export async function startRunner(ctx: ServiceContext): Promise<() => Promise<void>> {
  const { config, log } = ctx;
  const driver = await createDriver(config, log, ctx.signal);
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
    maxRunningPerUser: config.SAM_MAX_RUNNING_RUNS_PER_USER,
    stageTimings: config.SAM_STAGE_TIMINGS,
    outputBudget: new OutputBudget(ctx.redis, { bytes: config.SAM_OUTPUT_BUDGET_MB * 1024 * 1024, windowSeconds: config.SAM_OUTPUT_BUDGET_WINDOW_SECONDS }),
    watchdog: new Watchdog({ graceMs: config.SAM_WATCHDOG_GRACE_MS, log }),
    metrics: new RunMetrics(ctx.metrics, driver.name),
    limitPolicy: config.limits,
    gradingMaxWallMs: config.SAM_GRADING_MAX_SECONDS * 1000,
  };
  if (config.SAM_COMPILE_CACHE) {
    deps.compileCache = new CompileCache({
      redis: ctx.redis,
      driver,
      // The tag every driver runs (runner/sandbox/select.ts): a hash of the image's build context.
      imageTag: runtimeImageTag(),
      versions: new Map(accepted.map((a) => [a.definition.language, a.runtime.version])),
      diskMb: config.limits.diskMb,
      policy: config.limits,
      log,
      ttlSeconds: config.SAM_COMPILE_CACHE_TTL_SECONDS,
      maxEntryBytes: config.SAM_COMPILE_CACHE_MAX_ENTRY_KB * 1024,
      maxRedisBytes: config.SAM_COMPILE_CACHE_MAX_REDIS_MB * 1024 * 1024,
      busy: () => running.size >= config.SAM_RUNNER_CONCURRENCY,
      metrics: new CompileCacheMetrics(ctx.metrics),
    });
  }

  // Cancellations arrive by pub/sub; only the runner holding the run acts on it.
  const subscriber = createRedis(process.env.REDIS_URL!);
  // Unlistened, a Redis restart printed "[ioredis] Unhandled error event" on every reconnect try; it resubscribes by itself.
  subscriber.on("error", (err) => log.debug({ err: err.message }, "cancellation channel: Redis unreachable, reconnecting"));
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on("message", (_channel, id: string) => void cancelRunning(deps, id));

  const activity = new RunnerActivity();
  const worker = createExecutionWorker(deps, {
    connection: createRedis(process.env.REDIS_URL!),
    concurrency: config.SAM_RUNNER_CONCURRENCY,
    onJobStart: activity.jobStarted,
  });
  const leavePool = joinSupervisorPool(worker, activity, log);
  log.info({ concurrency: config.SAM_RUNNER_CONCURRENCY, driver: driver.name }, "taking execution jobs");
  // For the admin page: which driver, how many runs at once, and which runs now.
  ctx.heartbeat.describe(() => ({ driver: driver.name, concurrency: config.SAM_RUNNER_CONCURRENCY, running: [...running.keys()] }));
  const retentionConnection = createRedis(process.env.REDIS_URL!);
  const stopRetention = await startRetention({ db: ctx.db, connection: retentionConnection, log, days: config.SAM_EXECUTION_RETENTION_DAYS });
  const stopLostRunSweep = await startLostRunSweep({ db: ctx.db, redis: ctx.redis, connection: retentionConnection, log });

  return async () => {
    clearInterval(republish);
    leavePool();
    await drainBeforeStop(worker, activity, config.SAM_RUNNER_DRAIN_MS, log);
    // Runs in progress are ended and their jobs retried by another runner (not reported as results).
    deps.stopping = true;
    await Promise.all([...running.values()].map((h) => h.kill("requested")));
    await deps.compileCache?.close();
    await withdrawRuntimes(ctx.redis, runnerId).catch(() => undefined);
    await worker.close();
    await stopLostRunSweep().catch(() => undefined);
    await stopRetention().catch(() => undefined);
    retentionConnection.disconnect();
    await subscriber.quit().catch(() => subscriber.disconnect());
    await driver.close();
  };
}
