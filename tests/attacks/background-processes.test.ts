import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { attackSuite, hostProcessesWith } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("background processes outliving the run", ({ driver }) => {
  it("nohup, setsid and a double-forked daemon all end with the run", async () => {
    const token = randomBytes(6).toString("hex");
    // Each sleeper carries the token in its command line so the host can look for it afterwards.
    const source = `
nohup bash -c 'exec -a sam-left-${token}-a sleep 300' >/dev/null 2>&1 &
setsid bash -c 'exec -a sam-left-${token}-b sleep 300' >/dev/null 2>&1 < /dev/null &
python3 -c "
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp('sleep', ['sam-left-${token}-c', '300'])
"
sleep 0.5
for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c "^sam-left-${token}"
echo started`;
    const result = await runProgram(driver(), "bash", source);
    // All three were running inside the sandbox...
    expect(result.stdout).toBe("3\nstarted\n");
    await new Promise((r) => setTimeout(r, 500));
    expect(hostProcessesWith(`sam-left-${token}`)).toEqual([]);
  });
});
