import { Verdict } from "../db/generated/enums";

/**
 * A test's result in the words every judge uses. compile_error is decided
 * once per grading (the build is shared by every test); judge_error is the
 * teacher's checker or test command failing, never held against the student
 * (scored 0 and flagged for the teacher).
 */
export { Verdict };
export const VERDICTS = Object.values(Verdict) as [Verdict, ...Verdict[]];

export const VERDICT_LABELS: Record<Verdict, string> = {
  passed: "Passed",
  wrong_answer: "Wrong answer",
  time_limit: "Time limit exceeded",
  memory_limit: "Memory limit exceeded",
  output_limit: "Output limit exceeded",
  runtime_error: "Runtime error",
  compile_error: "Compile error",
  judge_error: "Judge error",
};

/** Short forms for tables (AC/WA/TLE/MLE/OLE/RTE/CE/JE). */
export const VERDICT_SHORT: Record<Verdict, string> = {
  passed: "AC",
  wrong_answer: "WA",
  time_limit: "TLE",
  memory_limit: "MLE",
  output_limit: "OLE",
  runtime_error: "RTE",
  compile_error: "CE",
  judge_error: "JE",
};
