import { judgeWithChecker } from "./checker";
import { runCommandTest } from "./command-test";
import type { Judges } from "./judges";

/** The judges a runner grades checker and command tests with (tests of the grader may pass their own). */
export const judges: Judges = { judgeWithChecker, runCommandTest };
