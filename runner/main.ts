import { runService } from "../lib/services/service";

// The execution service. For now it connects to PostgreSQL and Redis, announces
// itself and answers GET /health on RUNNER_PORT; taking queued runs and
// executing them in sandboxes arrives with the execution-engine issue.
await runService({ name: "runner", port: (config) => config.RUNNER_PORT });
