import { ProcessLauncher } from "./process-launcher.js";

export { ProcessLauncherError } from "./process-launcher.js";

export interface ProcessResult {
  /** The exit code; -1 when the command was killed or could not be started. */
  code: number;
  stdout: string;
  stderr: string;
  /** Set when a signal ended the command. */
  signal?: NodeJS.Signals;
  /** Set when the command was killed for running past `timeoutMs`. */
  timedOut?: boolean;
  /** Set when the command was killed on a stop request (`signal`), or not started after one. */
  stopped?: boolean;
}

export interface RunProcessOptions {
  cwd?: string;
  /** The command's whole environment, exactly; a minimal one (PATH, HOME, locale) when absent. */
  env?: Record<string, string>;
  /** Past this the command is killed (SIGKILL), and the result says it timed out. */
  timeoutMs?: number;
  /** A stop request: the command is killed (or not started), and the result says it was stopped. */
  signal?: AbortSignal;
}

// One launcher for the whole app; started on first use.
const launcher = new ProcessLauncher();

/**
 * Runs `file` with `args` (no shell, stdin closed) and buffers its output as UTF-8. A command
 * that cannot be started (missing binary or directory) gives code -1 with the reason in stderr.
 * Rejects with ProcessLauncherError only when the launcher itself ended mid-command.
 */
export async function runProcess(file: string, args: string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  if (options.signal?.aborted) return { code: -1, stdout: "", stderr: "", stopped: true };
  const outcome = await launcher.launch({ file, args, cwd: options.cwd, env: options.env, timeoutMs: options.timeoutMs }, options.signal);
  if (outcome.kind === "not-started") return { code: -1, stdout: "", stderr: `${outcome.message}\n` };
  const result: ProcessResult = { code: outcome.code ?? -1, stdout: outcome.stdout.toString("utf8"), stderr: outcome.stderr.toString("utf8") };
  if (outcome.signal) result.signal = outcome.signal;
  if (outcome.timedOut) result.timedOut = true;
  if (outcome.stopped) result.stopped = true;
  return result;
}
