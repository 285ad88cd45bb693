import type { Execution } from "../db/generated/client";
import type { ExecutionStatus } from "./status";

/**
 * An execution as the API shows it (GET /api/v1/executions/:id and the SSE
 * `result` event). stdout, stderr and compileOutput are text or base64, as the
 * client asked (see encoding.ts); the JSON is made piece by piece as the
 * client reads it (see view-stream.ts).
 */
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

export type ExecutionSummary = Omit<ExecutionView, "stdout" | "stderr" | "compileOutput">;

/** An execution in a list, and in Redis's `result` event: everything but its output (which can be large). */
export function executionSummary(row: Omit<Execution, "stdin" | "stdout" | "stderr" | "compileOutput">): ExecutionSummary {
  return {
    id: row.id,
    status: row.status,
    language: row.language,
    version: row.version,
    exitCode: row.exitCode,
    signal: row.signal,
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
