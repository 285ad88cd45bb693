import { afterAll, describe, expect, inject, it } from "vitest";
import type { SandboxHandle, SandboxRun, SandboxStreams } from "../../runner/sandbox/driver";
import { createDatabase } from "../../lib/db/client";
import { MAX_ATTEMPTS } from "../../lib/executions/queue";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";

/**
 * A run taken while PostgreSQL is down goes back to wait without counting an
 * attempt, and "down" is read from socket error codes (ECONNRESET, EPIPE,
 * ETIMEDOUT). A sandbox engine that resets its socket (dockerode talking to a
 * dying Podman) raises the same codes: such a run was deferred as if the
 * database were down, three times, until its row said its attempts were used,
 * and its dead letter said nothing of why. Now the runner asks the database
 * itself before it believes the database is down, so these are ordinary
 * failed attempts, retried with backoff, each with its reason.
 */
class ResettingDriver extends FakeDriver {
  override async start(_run: SandboxRun, _streams: SandboxStreams): Promise<SandboxHandle> {
    this.starts++;
    throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  }
}

const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

describe("a sandbox engine's socket errors", () => {
  it("are attempts that end the run as internal_error, not a database outage waited out for ever", async () => {
    const user = await registerUser();
    const driver = new ResettingDriver(() => ({ kind: "program", stdout: "", exitCode: 0 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver);
    try {
      const id = await harness.add(user.id, "reset");
      harness.startWorker(1);
      const row = await harness.waitForFinal(id);
      expect(row.status).toBe("internal_error");
      expect(driver.starts).toBe(MAX_ATTEMPTS);
      const letter = await db.deadLetter.findUniqueOrThrow({ where: { executionId: id } });
      const reasons = (letter.attempts as Array<{ kind: string; message: string }>).filter((a) => a.message.includes("socket hang up"));
      expect(reasons).toHaveLength(MAX_ATTEMPTS);
    } finally {
      await harness.close();
    }
  });
});
