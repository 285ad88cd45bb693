import type { Execution } from "../db/generated/client";
import type { ExecutionStatus } from "./status";

/** An execution as the API shows it (GET /api/v1/executions/:id and the SSE `result` event). */
export interface ExecutionView {
  id: string;
  status: ExecutionStatus;
  language: string;
  version: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  compileOutput: string | null;
  cpuTimeMs: number | null;
  wallTimeMs: number | null;
  memoryKb: number | null;
  truncated: boolean;
  attempts: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function executionView(row: Execution): ExecutionView {
  return {
    id: row.id,
    status: row.status as ExecutionStatus,
    language: row.language,
    version: row.version,
    exitCode: row.exitCode,
    signal: row.signal,
    stdout: row.stdout,
    stderr: row.stderr,
    compileOutput: row.compileOutput,
    cpuTimeMs: row.cpuTimeMs,
    wallTimeMs: row.wallTimeMs,
    memoryKb: row.memoryKb,
    truncated: row.truncated,
    attempts: row.attempts,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** An execution in a list: everything but its output (which can be large). */
export function executionSummary(row: Execution): Omit<ExecutionView, "stdout" | "stderr" | "compileOutput"> {
  const { stdout: _stdout, stderr: _stderr, compileOutput: _compile, ...summary } = executionView(row);
  return summary;
}
