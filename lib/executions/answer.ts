import type { Redis } from "ioredis";
import type { Encoding } from "./encoding";
import { eventsKey, EVENTS_MAX_ENTRIES, EVENTS_TTL_AFTER_RESULT_SECONDS } from "./queue";
import type { ExecutionSummary } from "./view";

/**
 * A finished run's whole answer, handed from the runner to the web process
 * through Redis, so `POST /api/v1/executions?wait=true` answers without a
 * database read (issue 13: the reads after the result cost more than a
 * small program's run). Only for small output (ANSWER_MAX_BYTES): larger
 * answers are read from PostgreSQL a slice at a time, as before
 * (view-stream.ts). The runner writes it with the `result` event, in one
 * transaction, and only after the result is stored: PostgreSQL stays the
 * truth, and the answer is a copy of it that expires with the event stream.
 */
export const ANSWER_MAX_BYTES = 64 * 1024;

export const answerKey = (executionId: string) => `sam:exec:${executionId}:answer`;

export interface StoredAnswer {
  summary: ExecutionSummary;
  stdout: Buffer;
  stderr: Buffer;
  /** null: the language has no compile step. */
  compileOutput: Buffer | null;
}

/** Whether this output is small enough to travel as an answer. */
export function fitsAnswer(bytes: { stdout: Uint8Array; stderr: Uint8Array; compileOutput: Uint8Array | null }): boolean {
  return bytes.stdout.byteLength + bytes.stderr.byteLength + (bytes.compileOutput?.byteLength ?? 0) <= ANSWER_MAX_BYTES;
}

/**
 * Appends the `result` event, and with it (when given) the answer, in one
 * MULTI: whoever sees the result event finds the answer.
 */
export async function appendResult(redis: Redis, summary: ExecutionSummary, answer?: Omit<StoredAnswer, "summary">): Promise<void> {
  const key = eventsKey(summary.id);
  const multi = redis.multi();
  if (answer) {
    const fields: Record<string, string | Buffer> = { summary: JSON.stringify(summary), stdout: answer.stdout, stderr: answer.stderr };
    if (answer.compileOutput) fields.compileOutput = answer.compileOutput;
    multi.hset(answerKey(summary.id), fields).expire(answerKey(summary.id), EVENTS_TTL_AFTER_RESULT_SECONDS);
  }
  multi.xadd(key, "MAXLEN", "~", EVENTS_MAX_ENTRIES, "*", "type", "result", "data", JSON.stringify(summary));
  await multi.expire(key, EVENTS_TTL_AFTER_RESULT_SECONDS).exec();
}

/** The answer of a finished run, if the runner left one (small output, not yet expired). */
export async function readAnswer(redis: Redis, executionId: string): Promise<StoredAnswer | null> {
  const fields = await redis.hgetallBuffer(answerKey(executionId));
  if (!fields.summary || !fields.stdout || !fields.stderr) return null;
  return {
    summary: JSON.parse(fields.summary.toString("utf8")) as ExecutionSummary,
    stdout: fields.stdout,
    stderr: fields.stderr,
    compileOutput: fields.compileOutput ?? null,
  };
}

/** The answer as the execution's JSON, exactly as view-stream.ts makes it from PostgreSQL. */
export function answerJson(answer: StoredAnswer, encoding: Encoding): string {
  const text = (bytes: Buffer) => (encoding === "base64" ? bytes.toString("base64") : new TextDecoder("utf-8").decode(bytes));
  return JSON.stringify({
    ...answer.summary,
    stdout: text(answer.stdout),
    stderr: text(answer.stderr),
    compileOutput: answer.compileOutput === null ? null : text(answer.compileOutput),
  });
}
