import type { Redis } from "ioredis";
import { readEventsNow } from "../../lib/executions/events";
import { readFrames } from "../../lib/executions/output-frames";
import { api } from "./api";
import { eventually, type TestUser } from "./rooms";

/** Room terminals in tests (lib/terminals/): start one, type into it, read what it showed, wait for its end. */
export async function startTerminal(roomId: string, user: TestUser, base?: string): Promise<string> {
  const res = await api("POST", `/api/v1/rooms/${roomId}/terminal`, { token: user.token, body: {}, base });
  if (res.status !== 202 && res.status !== 200) throw new Error(`terminal not started: ${res.status} ${res.text}`);
  return res.json.terminal.id as string;
}

export function typeInto(roomId: string, user: TestUser, terminalId: string, data: string, base?: string) {
  return api("POST", `/api/v1/rooms/${roomId}/terminal/input`, { token: user.token, body: { terminalId, data }, base });
}

/** Everything the terminal has shown so far (its live output events, as every member's page gets them). */
export async function terminalOutput(redis: Redis, terminalId: string): Promise<string> {
  const bytes: Buffer[] = [];
  let after = "0";
  for (;;) {
    const events = await readEventsNow(redis, terminalId, after, 1000);
    if (!events.length) break;
    after = events.at(-1)!.id;
    for (const e of events) if (e.type === "output") for (const f of readFrames(e.data)) bytes.push(f.bytes);
  }
  return Buffer.concat(bytes).toString("utf8");
}

/** Waits until the terminal's output contains `text`. */
export async function waitForOutput(redis: Redis, terminalId: string, text: string | RegExp, ms = 60_000): Promise<string> {
  let seen = "";
  try {
    await eventually(
      `the terminal to show ${text}`,
      async () => {
        seen = await terminalOutput(redis, terminalId);
        return typeof text === "string" ? seen.includes(text) : text.test(seen);
      },
      ms,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; it showed: ${JSON.stringify(seen.slice(-1500))}`);
  }
  return seen;
}

/** Waits for the shell's first prompt (the sandbox started and bash is reading). */
export const waitForPrompt = (redis: Redis, terminalId: string) => waitForOutput(redis, terminalId, "$ ", 90_000);

/** The terminal's execution status, through the API (as any member of the room sees it). */
export async function terminalStatus(terminalId: string, user: TestUser, base?: string): Promise<string> {
  const res = await api("GET", `/api/v1/executions/${terminalId}`, { token: user.token, base });
  if (res.status !== 200) throw new Error(`terminal not readable: ${res.status} ${res.text}`);
  return res.json.status as string;
}

export async function waitForEnd(terminalId: string, user: TestUser, ms = 60_000, base?: string): Promise<string> {
  let status = "";
  await eventually(
    `terminal ${terminalId} to end`,
    async () => {
      status = await terminalStatus(terminalId, user, base);
      return !["queued", "running"].includes(status);
    },
    ms,
  );
  return status;
}
