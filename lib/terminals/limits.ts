import type { RunLimits } from "../executions/limits";

/** A terminal's limits: a run's, with a session's time and output, plus how long it may go without input. */
export type TerminalLimits = RunLimits & { idleMs: number };

export interface TerminalSettings {
  SAM_TERMINAL_MAX_SECONDS: number;
  SAM_TERMINAL_IDLE_SECONDS: number;
  SAM_TERMINAL_CPU_SECONDS: number;
  SAM_TERMINAL_OUTPUT_MB: number;
}

/**
 * Memory and processes are a run's defaults (a shell and what it starts fit
 * in them, and a fork bomb meets the same wall); time and output come from
 * the terminal settings. The sandbox enforces all but idleMs, which the
 * runner's session does (runner/terminal/session.ts).
 */
export function terminalLimits(settings: TerminalSettings, runDefaults: RunLimits): TerminalLimits {
  return {
    cpuTimeMs: settings.SAM_TERMINAL_CPU_SECONDS * 1000,
    wallTimeMs: settings.SAM_TERMINAL_MAX_SECONDS * 1000,
    memoryMb: runDefaults.memoryMb,
    processes: runDefaults.processes,
    outputKb: settings.SAM_TERMINAL_OUTPUT_MB * 1024,
    idleMs: settings.SAM_TERMINAL_IDLE_SECONDS * 1000,
  };
}
