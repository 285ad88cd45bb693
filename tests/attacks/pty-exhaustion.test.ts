import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { DRIVERS, runProgram } from "../support/drivers";

/**
 * Pseudo-terminals are one pool for the whole machine: every devpts instance
 * but the host's own shares kernel.pty.max - kernel.pty.reserve (3072 by
 * default). A run's processes (256 files each, 64 processes) opened 2520 of
 * them here and could take them all, for as long as it runs (a room terminal
 * runs for its whole session): no other sandbox could then start a room
 * terminal (runner/terminal/pty-wrapper.py needs one). Each sandbox's devpts
 * instance must have a small maximum of its own.
 */
const MAX_PTYS = 64;
const program = `
import os, time
total = 0
for k in range(30):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        held = []
        try:
            for i in range(120):
                held.append(os.openpty())
        except OSError:
            pass
        os.write(w, str(len(held)).encode())
        os.close(w)
        time.sleep(1)
        os._exit(0)
    os.close(w)
    got = int(os.read(r, 16) or b"0")
    os.close(r)
    total += got
    if got == 0:
        break
print("ptys", total)
`;

// The drivers that mount each sandbox's devpts themselves (with max=): the Docker Engine API has no devpts
// options, so under the docker driver a run can still hold the pool (docs/security.md, "Known limits").
const DEVPTS_DRIVERS = DRIVERS.filter((d) => d !== "docker");

attackSuite(
  "pseudo-terminal exhaustion",
  ({ driver }) => {
    it(`a run cannot hold more than ${MAX_PTYS} pseudo-terminals of the machine's shared pool`, async () => {
      const result = await runProgram(driver(), "python", program, { limits: { processes: 64 } });
      expect(result.status).toBe("succeeded");
      const count = Number(result.stdout.match(/ptys (\d+)/)?.[1]);
      // At least one: a sandbox still has pseudo-terminals (room terminals need one).
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(MAX_PTYS);
    });
  },
  DEVPTS_DRIVERS,
);
