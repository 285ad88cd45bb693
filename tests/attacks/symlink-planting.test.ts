import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * Judge0's CVE-2024-28185 / CVE-2024-28189: the host followed links a program
 * planted in its box and wrote or chowned host files. Here the host never
 * reads or cleans anything the program could write: files go in read-only
 * before it starts, results come out as streams.
 */
attackSuite("symlink planting", ({ driver }) => {
  it("links planted in every writable place lead the host nowhere", async () => {
    const victimDir = fs.mkdtempSync(path.join(os.tmpdir(), "sam-victim-"));
    const victim = path.join(victimDir, "precious.txt");
    fs.writeFileSync(victim, "precious");
    const source = `
for d in /work /tmp /dev/shm; do
  ln -s ${victim} $d/main.sh.out 2>/dev/null
  ln -s / $d/rootlink 2>/dev/null
  ln -s ${victimDir} $d/victimdir 2>/dev/null
done
ln -sf ${victim} /sam/in/stdin 2>/dev/null && echo "REPLACED INPUT"
ln -s ${victim} /sam/in/files/evil 2>/dev/null && echo "PLANTED IN INPUT"
echo planted`;
    const result = await runProgram(driver(), "bash", source);
    expect(result.stdout).toBe("planted\n");
    // The run is over and cleaned up: the host file is untouched and still the host's.
    expect(fs.readFileSync(victim, "utf8")).toBe("precious");
    expect(fs.statSync(victim).uid).toBe(process.getuid?.() ?? 0);
    expect(fs.lstatSync(victim).isSymbolicLink()).toBe(false);
    fs.rmSync(victimDir, { recursive: true, force: true });
  });

  it("a file name cannot point the host's input writer outside its directory", async () => {
    const result = await runProgram(driver(), "bash", "cat dir/nested.txt", { extraFiles: [{ name: "dir/nested.txt", content: "inside" }] });
    expect(result.stdout).toBe("inside");
  });
});
