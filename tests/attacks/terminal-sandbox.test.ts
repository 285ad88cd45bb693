import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { api } from "../support/api";
import { hostProcessesWith } from "../support/attack-suite";
import { eventually, roomWithMembers } from "../support/rooms";
import { startTerminal, typeInto, waitForEnd, waitForOutput, waitForPrompt } from "../support/terminals";

/**
 * Attacks from inside a room's terminal: the shell is a run's sandbox (no
 * network, no host, limits on processes), however it is driven. Markers are
 * computed by the shell (`R$((1))`), so the echo of the typed line never
 * passes for the result.
 */
const redis = createRedis(inject("redisUrl"));
let room: Awaited<ReturnType<typeof roomWithMembers>>;
let terminalId: string;
const type = (line: string) => typeInto(room.roomId, room.editor, terminalId, `${line}\r`);

beforeAll(async () => {
  room = await roomWithMembers();
  terminalId = await startTerminal(room.roomId, room.editor);
  await waitForPrompt(redis, terminalId);
  // A benign probe first: the shell must be sandboxed (no capabilities, its own hostname, not root) before any attack runs.
  await type("grep CapEff /proc/self/status; echo H$((0))OST=$(hostname) U$((0))ID=$(id -u); echo P$((1))ROBE");
  const probe = await waitForOutput(redis, terminalId, "P1ROBE");
  if (!probe.includes("CapEff:\t0000000000000000") || probe.includes(`H0OST=${os.hostname()}\r`) || !probe.includes("U0ID=1000")) {
    throw new Error(`the terminal does not look sandboxed; refusing to attack: ${probe.slice(-500)}`);
  }
}, 120_000);

afterAll(async () => {
  if (terminalId) await api("DELETE", `/api/v1/rooms/${room.roomId}/terminal`, { token: room.owner.token });
  await redis.quit();
});

describe("attack: a room terminal's shell", () => {
  it("cannot reach the host's services over the network", async () => {
    // The web app, collab and the runner listen on TCP; Redis (and PostgreSQL) on a unix socket of the host.
    const ports = [inject("webUrl"), inject("collabUrl"), inject("runnerUrl")].map((u) => new URL(u).port);
    const addresses = [
      "127.0.0.1",
      ...Object.values(os.networkInterfaces())
        .flat()
        .filter((i) => i && i.family === "IPv4" && !i.internal)
        .map((i) => i!.address),
    ];
    const probes = addresses.flatMap((a) => ports.map((p) => `(exec 3<>/dev/tcp/${a}/${p}) 2>/dev/null && echo C$((0))ONNECTED-${a}:${p}`));
    const redisSocket = inject("redisUrl").split("?")[0]!;
    await type(`${probes.join("; ")}; test -e ${redisSocket} && echo S$((0))OCKET; echo N$((1))ET`);
    const shown = await waitForOutput(redis, terminalId, "N1ET");
    expect(shown).not.toContain("C0ONNECTED");
    expect(shown).not.toContain("S0OCKET");
  });

  it("cannot write outside the project folder or read the host", async () => {
    const token = randomBytes(6).toString("hex");
    const hostSecret = `/tmp/sam-terminal-secret-${token}`;
    fs.writeFileSync(hostSecret, `SECRET-${token}`);
    try {
      const targets = [`/${token}`, `/etc/${token}`, `/usr/bin/${token}`, `/sam/in/files/${token}`, `/sam/in/${token}`, `/proc/sys/kernel/${token}`];
      await type(
        `for p in ${targets.join(" ")}; do (echo x > $p) 2>/dev/null && echo "W$((1))ROTE $p"; done; echo x > /tmp/${token}; cat ${hostSecret} /root/.bash_history /proc/1/environ 2>/dev/null; env; echo E$((1))SCAPE`,
      );
      const shown = await waitForOutput(redis, terminalId, "E1SCAPE");
      expect(shown).not.toContain("W1ROTE");
      expect(shown).not.toContain(`SECRET-${token}`);
      // Nothing of the runner's or the services' settings reaches the shell (the Redis password, connection strings).
      expect(shown).not.toMatch(/postgres(ql)?:\/\/|DATABASE_URL=|REDIS_URL=/);
      expect(shown).not.toContain(new URL(`x:${inject("redisUrl")}`).searchParams.get("password"));
      // The sandbox's /tmp is its own.
      expect(fs.existsSync(`/tmp/${token}`)).toBe(false);
      // The project folder is where the shell writes.
      await type(`echo kept > /work/k-${token}.txt && cat /work/k-${token}.txt | tr a-z A-Z`);
      await waitForOutput(redis, terminalId, "KEPT");
    } finally {
      fs.rmSync(hostSecret, { force: true });
    }
  });

  it("a fork bomb meets the process limit, the services stay up and Stop ends every process", async () => {
    const token = randomBytes(6).toString("hex");
    await type(`bash -c 'f(){ f | f & }; f; sleep 600' bomb-${token} 2>/dev/null &`);
    // The bomb runs: its processes show on the host, never more than the run limit allows (64 by default, a few sandbox processes aside).
    await eventually("the fork bomb to run", () => hostProcessesWith(`bomb-${token}`).length > 10, 60_000);
    let most = 0;
    for (let i = 0; i < 10; i++) {
      most = Math.max(most, hostProcessesWith(`bomb-${token}`).length);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(most).toBeLessThanOrEqual(64);
    expect((await api("GET", "/api/v1/health?scope=web")).status).toBe(200);
    const stopped = await api("DELETE", `/api/v1/rooms/${room.roomId}/terminal`, { token: room.editor.token });
    expect(stopped.status).toBe(200);
    expect(await waitForEnd(terminalId, room.viewer)).toBe("cancelled");
    await eventually("every process of the bomb to be gone", () => hostProcessesWith(`bomb-${token}`).length === 0, 30_000);
    terminalId = "";
  });
});
