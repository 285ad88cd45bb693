/**
 * Teachers' checkers and autograders as they exist in the wild, for the
 * checker and command-test suites (tests/integration/classroom-judges.test.ts,
 * tests/attacks/judge-*.test.ts).
 */

/** Kattis-style validator in Python: the output must have the answer file's tokens; extra args are echoed. */
export const PYTHON_CHECKER = `import sys
answer = open(sys.argv[2]).read().split()
feedback = sys.argv[3]
output = sys.stdin.read().split()
def say(message):
    with open(feedback + "/judgemessage.txt", "w") as f:
        f.write(message)
if output == answer:
    say("accepted" + ("; args " + " ".join(sys.argv[4:]) if len(sys.argv) > 4 else ""))
    sys.exit(42)
say("expected %s, got %s" % (" ".join(answer), " ".join(output[:5])))
sys.exit(43)
`;

/** Kattis-style validator in C: the output must be the sum of the input's numbers (the answer file is not used). */
export const C_CHECKER = `#include <stdio.h>
int main(int argc, char **argv) {
  FILE *in = fopen(argv[1], "r");
  long sum = 0, x, got;
  while (fscanf(in, "%ld", &x) == 1) sum += x;
  char path[4096];
  snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
  FILE *message = fopen(path, "w");
  if (scanf("%ld", &got) != 1) { fprintf(message, "no number in the output"); return 43; }
  if (got != sum) { fprintf(message, "expected %ld, got %ld", sum, got); return 43; }
  fprintf(message, "correct: %ld", sum);
  return 42;
}
`;

/** Kattis-style validators in Java and C++: the output must be the answer's first token. */
export const JAVA_CHECKER = `import java.nio.file.*;
public class Validator {
  public static void main(String[] args) throws Exception {
    String answer = Files.readString(Path.of(args[1])).trim();
    String output = new String(System.in.readAllBytes()).trim();
    Files.writeString(Path.of(args[2], "judgemessage.txt"), answer.equals(output) ? "java: ok" : "java: expected " + answer);
    System.exit(answer.equals(output) ? 42 : 43);
  }
}
`;
export const CPP_CHECKER = `#include <fstream>
#include <iostream>
#include <string>
int main(int, char **argv) {
  std::ifstream answerFile(argv[2]);
  std::string answer, output;
  answerFile >> answer;
  std::cin >> output;
  std::ofstream(std::string(argv[3]) + "judgemessage.txt") << (answer == output ? "cpp: ok" : "cpp: expected " + answer);
  return answer == output ? 42 : 43;
}
`;

/** pytest plugin writing Gradescope's results.json, weighted per test (what Gradescope's Python autograders do). */
export const PYTEST_CONFTEST = `import json
WEIGHTS = {"test_small": 1, "test_big": 2, "test_negative": 1}
results = []
def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        name = report.nodeid.split("::")[-1]
        weight = WEIGHTS.get(name, 1)
        results.append({"name": name, "score": weight if report.passed else 0, "max_score": weight,
                        "status": "passed" if report.passed else "failed",
                        "output": crash(report), "visibility": "visible"})
def crash(report):
    # The assertion's own message first (what Gradescope shows), then the traceback.
    if not report.failed:
        return ""
    message = getattr(getattr(report.longrepr, "reprcrash", None), "message", "")
    return message + "\\n" + report.longreprtext[-2000:]
def pytest_sessionfinish(session, exitstatus):
    with open("results.json", "w") as f:
        json.dump({"tests": results}, f)
`;

export const PYTEST_TESTS = `from solution import add
def test_small():
    assert add(1, 2) == 3
def test_big():
    assert add(10**12, 1) == 10**12 + 1
def test_negative():
    assert add(-1, -1) == -2
`;

export const PYTEST_COMMAND = "python3 -m pytest -q -p no:cacheprovider test_add.py";

export const pytestSpec = (extra: Array<{ name: string; content: string }> = []) => ({
  command: PYTEST_COMMAND,
  resultsFile: "results.json",
  files: [{ name: "conftest.py", content: PYTEST_CONFTEST }, { name: "test_add.py", content: PYTEST_TESTS }, ...extra],
});

/** JUnit 5 tests run by the console launcher, its XML report turned into results.json by a small script. */
export const JUNIT_TEST = `import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
class CalculatorTest {
  @Test void adds() { assertEquals(3, Calculator.add(1, 2)); }
  @Test void addsNegatives() { assertEquals(-2, Calculator.add(-1, -1)); }
}
`;

export const JUNIT_TO_RESULTS = `import json, sys, xml.etree.ElementTree as ET
tests = []
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    bad = case.find("failure")
    if bad is None:
        bad = case.find("error")
    tests.append({"name": case.get("name"), "score": 0 if bad is not None else 1, "max_score": 1,
                  "status": "failed" if bad is not None else "passed",
                  "output": (bad.get("message") or "") if bad is not None else ""})
json.dump({"tests": tests}, open("results.json", "w"))
`;

const JUNIT_CLASSPATH = ["junit-jupiter-api", "apiguardian-api", "opentest4j"].map((j) => `/usr/share/java/${j}.jar`).join(":");
export const JUNIT_COMMAND = [
  `mkdir -p /tmp/classes && javac -J-Xshare:off -d /tmp/classes -cp ${JUNIT_CLASSPATH} *.java`,
  "&& java -Xshare:off -XX:+UseSerialGC -jar /usr/share/java/junit-platform-console-standalone.jar --class-path /tmp/classes --scan-class-path --reports-dir /tmp/reports --disable-banner --details=none;",
  "python3 to_results.py /tmp/reports/TEST-junit-jupiter.xml",
].join(" ");
