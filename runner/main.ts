import { runService } from "../lib/services/service";
import { startRunner } from "./service";

// The execution service: takes queued runs and executes each in a fresh
// sandbox (see runner/service.ts). Its health check answers on RUNNER_PORT.
await runService({ name: "runner", port: (config) => config.RUNNER_PORT, start: startRunner });
