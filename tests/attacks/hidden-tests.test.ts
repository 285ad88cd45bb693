import { randomBytes } from "node:crypto";
import { afterAll, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { attackSuite } from "../support/attack-suite";
import { language } from "../support/drivers";
import { gradingResults, makeAssignment, makeUser, queueTestGrading, RecordingDriver } from "../support/grading";
import { QueueHarness } from "../support/queue-harness";

/**
 * A hidden test's input and expected output must never be reachable by the
 * student's program: the expected output stays in the runner (compared
 * there), other tests' inputs never enter this test's sandbox, and a test's
 * sandbox is fresh (nothing a hidden test's run wrote reaches a later test).
 * The secrets are random tokens; the attacking submissions print every
 * token-shaped string they can find.
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

/** A token the attacker's grep recognises (it never matches the program's own source). */
const token = () => `zqx${randomBytes(16).toString("hex")}`;
const TOKEN_PATTERN = "zqx[0-9a-f]\\{32\\}";

/** The services the runner's host offers: the web app's TCP port, and the Redis and PostgreSQL sockets (paths). */
const hostServices = () => [
  new URL(inject("webUrl")).port,
  inject("redisUrl")
    .split("?")[0]!
    .replace(/^[a-z+]+:\/\//, ""),
  decodeURIComponent(new URL(inject("databaseUrl")).searchParams.get("host") ?? "/nonexistent"),
];

/** Searches the sandbox's files, every process's environment and command line, and tries the host's services. */
const SEARCHER = `#!/bin/bash
exec 2>/dev/null
echo "args: $*"
env | grep -ao '${TOKEN_PATTERN}'
cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline | tr '\\0' '\\n' | grep -ao '${TOKEN_PATTERN}'
timeout 20 grep -rhoas '${TOKEN_PATTERN}' /sam /work /tmp /etc /run /var /home /root /dev/shm /opt /srv /mnt /media /boot /proc/self/mountinfo
ls -la /sam /sam/in
for target in 127.0.0.1:$1 127.0.0.1:5432 127.0.0.1:6379 10.0.2.2:$1 169.254.169.254:80; do
  if timeout 2 bash -c "exec 3<>/dev/tcp/\${target%:*}/\${target#*:}"; then echo "CONNECTED $target"; fi
done
for socket in "$2" "$3"; do [ -e "$socket" ] && echo "CONNECTED $socket"; done
echo searched
`;

/** plant: writes its stdin (a hidden test's input) wherever it can; show: prints whatever is there. */
const PLANTER = `#!/bin/bash
case "$1" in
  plant) t=$(cat); n=0; for f in /tmp/leak /work/leak /dev/shm/leak /var/tmp/leak /sam/leak; do echo "$t" > "$f" 2>/dev/null && n=$((n+1)); done; echo "planted $n";;
  show) cat /tmp/leak /work/leak /dev/shm/leak /var/tmp/leak /sam/leak 2>/dev/null; echo shown;;
esac
`;

async function grade(
  driver: SandboxDriver,
  files: Array<{ name: string; content: string }>,
  tests: object[],
  kind: "test" | "submission" | "regrade" = "submission",
) {
  const recording = new RecordingDriver(driver);
  const harness = new QueueHarness(inject("redisUrl"), db, recording as never, { languages: new Map([["bash", language("bash")]]) });
  try {
    harness.startWorker();
    const userId = await makeUser(db);
    const { assignmentId } = await makeAssignment(db, { language: "bash", tests: tests as never });
    const { gradingId, executionId } = await queueTestGrading(harness, { assignmentId, userId, language: "bash", files, kind });
    const execution = await harness.waitForFinal(executionId, 300);
    return { execution, recording, ...(await gradingResults(db, gradingId)) };
  } finally {
    await harness.close();
  }
}

attackSuite("hidden tests' data", ({ driver }) => {
  it("a submission searching its sandbox, /proc, the environment, the network and the host's sockets finds no expected output and no other test's input", async () => {
    const [aOut, bIn, bOut] = [token(), token(), token()];
    const ports = hostServices();
    const tests = [
      { name: "a", visibility: "hidden", args: ports, stdin: "", expectedStdout: aOut, limits: { wallTimeMs: 40000 } },
      { name: "b", visibility: "hidden", args: ports, stdin: bIn, expectedStdout: bOut, limits: { wallTimeMs: 40000 } },
    ];
    const { execution, byName, recording } = await grade(driver(), [{ name: "main.sh", content: SEARCHER }], tests);
    // What each sandbox was given: never an expected output; b's input only in b's own run.
    expect(recording.runs.length).toBe(2);
    const given = recording.runs.map((run) =>
      [
        Buffer.from(run.stdin).toString(),
        run.args.join(" "),
        JSON.stringify(run.env),
        ...run.files.map((f) => `${f.name} ${Buffer.from(f.content).toString()}`),
        Buffer.from(run.build ?? []).toString("latin1"),
      ].join("\n"),
    );
    for (const run of given) for (const secret of [aOut, bOut]) expect(run).not.toContain(secret);
    expect(given[0]).not.toContain(bIn);
    expect(given[1]).toContain(bIn);
    expect(execution.status).toBe("succeeded");
    const a = Buffer.from(byName.a!.stdout).toString();
    const b = Buffer.from(byName.b!.stdout).toString();
    // The search ran to its end (the test would prove nothing otherwise).
    expect(a).toContain("searched");
    expect(b).toContain("searched");
    for (const secret of [aOut, bIn, bOut]) expect(a).not.toContain(secret);
    // The search is strong enough to find a token in the sandbox: test b finds its own input (/sam/in/stdin)...
    expect(b).toContain(bIn);
    // ...and nothing else.
    for (const secret of [aOut, bOut]) expect(b).not.toContain(secret);
    expect(`${a}${b}`).not.toContain("CONNECTED");
    expect([byName.a!.verdict, byName.b!.verdict]).toEqual(["wrong_answer", "wrong_answer"]);
    // Nothing stored on the execution either.
    expect(Buffer.from(execution.stdout).length + Buffer.from(execution.stderr).length).toBe(0);
  });

  it("files a hidden test's run leaves in /tmp, /work or /dev/shm never reach a later visible test", async () => {
    const secret = token();
    const tests = [
      { name: "hidden plant", visibility: "hidden", args: ["plant"], stdin: secret, expectedStdout: "x" },
      { name: "visible show", visibility: "visible", args: ["show"], expectedStdout: "shown\n" },
    ];
    const { byName } = await grade(driver(), [{ name: "main.sh", content: PLANTER }], tests);
    // The plant worked where the sandbox lets a program write (so the check below means something).
    expect(Buffer.from(byName["hidden plant"]!.stdout).toString()).toMatch(/planted [1-9]/);
    expect(Buffer.from(byName["visible show"]!.stdout).toString()).not.toContain(secret);
    expect(byName["visible show"]!.verdict).toBe("passed");
  });

  it("kind test never runs a hidden or not-yet-due test: their inputs never reach a sandbox", async () => {
    const [hiddenIn, dueIn] = [token(), token()];
    const tests = [
      { name: "visible", args: ["show"], expectedStdout: "shown\n" },
      { name: "hidden", visibility: "hidden", args: ["plant"], stdin: hiddenIn, expectedStdout: "x" },
      { name: "after due", visibility: "after_due", args: ["plant"], stdin: dueIn, expectedStdout: "x" },
    ];
    const { grading, recording } = await grade(driver(), [{ name: "main.sh", content: PLANTER }], tests, "test");
    expect(grading.results.map((r) => r.name)).toEqual(["visible"]);
    expect(recording.runs.length).toBe(1);
    for (const run of recording.runs) {
      const seen = `${Buffer.from(run.stdin).toString()} ${run.args.join(" ")} ${JSON.stringify(run.env)}`;
      expect(seen).not.toContain(hiddenIn);
      expect(seen).not.toContain(dueIn);
    }
    // A re-grade runs them all.
    const regraded = await grade(driver(), [{ name: "main.sh", content: PLANTER }], tests, "regrade");
    expect(regraded.grading.results.map((r) => r.name)).toEqual(["visible", "hidden", "after due"]);
  });
});
