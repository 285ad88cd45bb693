import type { Database } from "../db/client";
import type { Encoding } from "./encoding";
import { pullStream } from "./pull-stream";
import { executionSummary, type ExecutionSummary } from "./view";

/**
 * An execution's JSON (see ExecutionView) made piece by piece, its output read
 * from PostgreSQL a slice at a time: a run's output may be 16 MiB of stdout
 * and as much of stderr, which as one JSON string of control characters
 * (each written as \u00XX) is over 100 MB. Here no more than READ_BYTES of
 * output and one piece of JSON (PIECE_BYTES of output, encoded) are held at
 * once, and each piece is made only when the client has taken the last one
 * (see pull-stream.ts). Text is decoded as a stream, so a character is never
 * split between pieces; base64 is cut at multiples of 3 bytes.
 */
const READ_BYTES = 1024 * 1024;
const PIECE_BYTES = 48 * 1024;
/** Output above this makes a response large: it then counts against the user's stream cap. */
export const LARGE_OUTPUT_BYTES = 256 * 1024;

type OutputField = "stdout" | "stderr" | "compileOutput";

export interface ExecutionHead {
  summary: ExecutionSummary;
  userId: string;
  roomId: string | null;
  /** Bytes of each output field (null: no compile step). */
  lengths: Record<OutputField, number | null>;
}

/** The execution without its output, and how long its output is; null when there is no such execution. */
export async function executionHead(db: Database, id: string): Promise<ExecutionHead | null> {
  const row = await db.execution.findUnique({ where: { id }, omit: { stdin: true, stdout: true, stderr: true, compileOutput: true } });
  if (!row) return null;
  const [sizes] = await db.$queryRaw<Array<{ stdout: number; stderr: number; compileOutput: number | null }>>`
    SELECT octet_length("stdout")::int AS "stdout", octet_length("stderr")::int AS "stderr", octet_length("compileOutput")::int AS "compileOutput"
    FROM "Execution" WHERE "id" = ${id}::uuid`;
  return { summary: executionSummary(row), userId: row.userId, roomId: row.roomId, lengths: sizes ?? { stdout: 0, stderr: 0, compileOutput: null } };
}

export function outputBytes(head: ExecutionHead): number {
  return (head.lengths.stdout ?? 0) + (head.lengths.stderr ?? 0) + (head.lengths.compileOutput ?? 0);
}

/** The execution as JSON, in pieces (strings). */
export async function* executionJson(db: Database, head: ExecutionHead, encoding: Encoding): AsyncGenerator<string, void> {
  const summary = JSON.stringify(head.summary);
  yield `${summary.slice(0, -1)},"stdout":"`;
  yield* fieldText(db, head, "stdout", encoding);
  yield `","stderr":"`;
  yield* fieldText(db, head, "stderr", encoding);
  if (head.lengths.compileOutput === null) {
    yield `","compileOutput":null}`;
    return;
  }
  yield `","compileOutput":"`;
  yield* fieldText(db, head, "compileOutput", encoding);
  yield `"}`;
}

/** The execution as a JSON response body made as the client reads it. */
export function executionJsonBody(db: Database, head: ExecutionHead, encoding: Encoding, onClose?: () => void): ReadableStream<Uint8Array> {
  return pullStream(executionJson(db, head, encoding), { onClose });
}

/** One output field's bytes as the inside of a JSON string, in the client's encoding. */
async function* fieldText(db: Database, head: ExecutionHead, field: OutputField, encoding: Encoding): AsyncGenerator<string, void> {
  const length = head.lengths[field] ?? 0;
  const encode = pieceEncoder(encoding);
  for (let offset = 0; offset < length; offset += READ_BYTES) {
    const slice = await readSlice(db, head.summary.id, field, offset, Math.min(READ_BYTES, length - offset));
    for (let at = 0; at < slice.length; at += PIECE_BYTES) {
      const text = encode.piece(slice.subarray(at, at + PIECE_BYTES));
      if (text) yield text;
    }
  }
  const rest = encode.end();
  if (rest) yield rest;
}

/** Bytes `offset`..`offset + length` of one output field (PostgreSQL reads only what it needs of it). */
async function readSlice(db: Database, id: string, field: OutputField, offset: number, length: number): Promise<Buffer> {
  const from = offset + 1; // SQL counts from 1
  const rows =
    field === "stdout"
      ? await db.$queryRaw<
          Array<{ slice: Uint8Array | null }>
        >`SELECT substring("stdout" from ${from}::int for ${length}::int) AS "slice" FROM "Execution" WHERE "id" = ${id}::uuid`
      : field === "stderr"
        ? await db.$queryRaw<
            Array<{ slice: Uint8Array | null }>
          >`SELECT substring("stderr" from ${from}::int for ${length}::int) AS "slice" FROM "Execution" WHERE "id" = ${id}::uuid`
        : await db.$queryRaw<
            Array<{ slice: Uint8Array | null }>
          >`SELECT substring("compileOutput" from ${from}::int for ${length}::int) AS "slice" FROM "Execution" WHERE "id" = ${id}::uuid`;
  const slice = rows[0]?.slice;
  return slice ? Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength) : Buffer.alloc(0);
}

/** Encodes consecutive pieces of one byte string as the inside of one JSON string. */
function pieceEncoder(encoding: Encoding): { piece(bytes: Buffer): string; end(): string } {
  if (encoding === "base64") {
    let carry = Buffer.alloc(0);
    return {
      piece(bytes) {
        const all = carry.length ? Buffer.concat([carry, bytes]) : bytes;
        const whole = all.length - (all.length % 3);
        carry = Buffer.from(all.subarray(whole));
        return all.subarray(0, whole).toString("base64");
      },
      end: () => carry.toString("base64"),
    };
  }
  const decoder = new TextDecoder("utf-8");
  const inside = (text: string) => (text ? JSON.stringify(text).slice(1, -1) : "");
  return { piece: (bytes) => inside(decoder.decode(bytes, { stream: true })), end: () => inside(decoder.decode()) };
}

/**
 * The execution as a JSON response, made as the client reads it. `release`
 * (a stream lease's) runs once, when the body ends however it ends or the
 * request is aborted: a large response holds a place under the user's
 * stream cap for as long as it is being sent.
 */
export function executionResponse(
  db: Database,
  head: ExecutionHead,
  encoding: Encoding,
  init: { status?: number; release?: () => unknown; signal?: AbortSignal } = {},
): Response {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    void init.release?.();
  };
  // A client gone before the body is read: the body is never read nor cancelled, so this releases.
  init.signal?.addEventListener("abort", release, { once: true });
  const body = executionJsonBody(db, head, encoding, release);
  return new Response(body, { status: init.status ?? 200, headers: { "content-type": "application/json", "cache-control": "no-store" } });
}
