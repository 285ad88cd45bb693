import { beforeAll, expect, it } from "vitest";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { executeProgram } from "../../runner/execution/execute";
import { COMPILE_OUTPUT_MAX_BYTES, PRESTART_MAX_BYTES } from "../../runner/execution/output";
import { attackSuite } from "../support/attack-suite";
import { language, runProgram } from "../support/drivers";

/**
 * Attacks F2 and F4 on the compile step. javac ran annotation processors
 * found on its class path, /work: user code inside the compile step, before
 * the program's start, where it could hide the launcher's lines, print
 * without limit and outlive the run's limits. The launcher's settings
 * (SAM_MARKER among them) were in the compiler's and the program's
 * environment. Compile output of up to 16 MiB a run was stored, and stderr
 * before the program's start was read without end. Now: javac runs no
 * processors (-proc:none) and compiles against its own output only; no SAM_*
 * setting is exported; compile output is kept up to COMPILE_OUTPUT_MAX_BYTES
 * with a note; past PRESTART_MAX_BYTES before the start the run is stopped.
 */
const PROCESSOR = `import java.util.Set;
import javax.annotation.processing.*;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;

@SupportedAnnotationTypes("*")
public class Evil extends AbstractProcessor {
  @Override public SourceVersion getSupportedSourceVersion() { return SourceVersion.latestSupported(); }
  @Override public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    if (!round.processingOver()) {
      System.err.println("PROCESSOR RAN");
      try { java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/processor-ran"), "yes"); } catch (Exception e) { }
    }
    return false;
  }
}
`;
const MAIN = `public class Main {
  public static void main(String[] args) {
    System.out.println(new java.io.File("/tmp/processor-ran").exists() ? "processor ran" : "no processor");
  }
}
`;
const JAVA_LIMITS = { memoryMb: 768, processes: 256, cpuTimeMs: 10_000, wallTimeMs: 20_000 };

/** C whose every error repeats a long macro line: about `lines` x `macroBytes` of compiler output. */
function noisyC(macroBytes: number, lines: number): string {
  const word = (i: number) => `w${(i * 7919).toString(36)}`;
  const words: string[] = [];
  for (let n = 0; words.join(" ").length < macroBytes; n++) words.push(word(n));
  return `#define A ${words.join(" ")}\n${Array.from({ length: lines }, (_, i) => `int v${i} = A;\n`).join("")}`;
}

attackSuite("the compile step", ({ driver }) => {
  // The processor is compiled inside the sandbox too (a bash run), never on the host.
  let processorClass: Buffer;
  beforeAll(async () => {
    const built = await runProgram(driver(), "bash", "javac -proc:none -d /tmp/p Evil.java >&2 && base64 -w0 /tmp/p/Evil.class", {
      extraFiles: [{ name: "Evil.java", content: PROCESSOR }],
      limits: JAVA_LIMITS,
    });
    if (built.status !== "succeeded") throw new Error(`could not build the processor: ${built.stderr}`);
    processorClass = Buffer.from(built.stdout, "base64");
  });

  it("javac runs no annotation processor from the run's files", async () => {
    const result = await runProgram(driver(), "java", MAIN, {
      extraFiles: [
        { name: "Evil.class", content: processorClass },
        { name: "META-INF/services/javax.annotation.processing.Processor", content: "Evil\n" },
      ],
      limits: JAVA_LIMITS,
    });
    expect(result.compileOutput ?? "").not.toContain("PROCESSOR RAN");
    expect(result.status).toBe("succeeded");
    expect(result.stdout).toBe("no processor\n");
  });

  it("neither the compiler nor the program has the launcher's settings (SAM_MARKER, ...) in its environment", async () => {
    // A compile step that shows its environment (as compiler output): a language's compile command is data.
    const showEnv = { ...language("c"), compile: "env" };
    const compiled = await executeProgram(
      driver(),
      showEnv,
      { files: [{ name: "main.c", content: "" }], stdin: "", args: [] },
      resolveLimits(DEFAULT_POLICY, {}, {}),
      DEFAULT_POLICY.diskMb,
    );
    expect(compiled.compileOutput).toContain("PATH=");
    expect(compiled.compileOutput).not.toContain("SAM_");
    const program = await runProgram(driver(), "python", "import os\nprint(sorted(k for k in os.environ if k.startswith('SAM_')))");
    expect(program.stdout).toBe("[]\n");
  });

  it("nothing the compile step starts lives into the program's time, nor hides the launcher's lines", async () => {
    // What user code inside a compiler could do (as javac's processors could): leave a process
    // behind that sleeps, and one that keeps writing to stderr without a newline.
    const leaves = {
      ...language("c"),
      compile: "(sleep 1000 &); (while :; do printf x >&2; sleep 0.002; done &); sleep 0.3",
      // Every process's "pid (name) state ..." line (one may end while it is read).
      run: 'for f in /proc/[0-9]*/stat; do { read -r line < "$f"; } 2>/dev/null && echo "$line"; done; exit 0',
    };
    const result = await executeProgram(
      driver(),
      leaves,
      { files: [{ name: "main.c", content: "" }], stdin: "", args: [] },
      resolveLimits(DEFAULT_POLICY, {}, {}),
      DEFAULT_POLICY.diskMb,
    );
    // A killed process is not alive, though a busy machine may still show it: as a zombie (state Z)
    // until tini reaps it, runnable with SIGKILL pending (stat's 31st field, bit 9) until it runs,
    // or already exiting (PF_EXITING, 0x4, in stat's 9th field: flags) while the kernel tears it down.
    const alive = result.stdout.split("\n").filter((line) => {
      const [, name, rest] = /^\d+ \((.*)\) (.*)$/.exec(line) ?? [];
      const fields = rest?.split(" ") ?? [];
      const exiting = (Number(fields[6]) & 0x4) !== 0;
      return name === "sleep" && fields[0] !== "Z" && !exiting && (Number(fields[28]) & (1 << 8)) === 0;
    });
    expect({ status: result.status, alive, stderr: result.stderr.slice(0, 200) }).toEqual({ status: "succeeded", alive: [], stderr: "" });
  });

  it(`compiler output over ${COMPILE_OUTPUT_MAX_BYTES} bytes is cut there, with a note of how much there was`, async () => {
    const result = await runProgram(driver(), "c", noisyC(2_000, 60), { limits: { outputKb: 16384 } });
    expect(result.status).toBe("compile_error");
    const output = Buffer.from(result.compileOutput ?? "");
    expect(output.length).toBeLessThan(COMPILE_OUTPUT_MAX_BYTES + 200);
    expect(result.compileOutput).toMatch(
      new RegExp(`\\n\\[sam: compile output truncated: the first ${COMPILE_OUTPUT_MAX_BYTES} of \\d+ bytes are shown\\]\\n$`),
    );
    expect(result.compileOutput).toContain("error:");
  });

  it(`past ${PRESTART_MAX_BYTES} bytes before the program starts, the run is stopped: output_limit_exceeded`, async () => {
    const result = await runProgram(driver(), "c", noisyC(20_000, 400), { limits: { outputKb: 16384 } });
    expect(result.status).toBe("output_limit_exceeded");
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.compileOutput ?? "")).toBeLessThan(COMPILE_OUTPUT_MAX_BYTES + 200);
    expect(result.compileOutput).toContain(`more than ${PRESTART_MAX_BYTES} bytes were printed before the program started; the run was stopped`);
  });
});
