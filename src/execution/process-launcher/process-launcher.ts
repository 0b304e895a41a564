import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Starts commands through one small long-lived Node process (./launcher-process.mjs) instead of
// forking the app's own large process for each: that fork costs milliseconds of main-thread CPU
// per command and blocks the event loop meanwhile. The launcher is started on first use, holds
// the app open only while a command is pending, ends with the app, and is started again after it
// dies.

// Found beside this module, so a bundle of the app must carry the script beside the bundle.
const LAUNCHER_SCRIPT = fileURLToPath(new URL("./launcher-process.mjs", import.meta.url));

// The launcher's own environment: enough to find binaries and speak the host's language, and
// none of the app's secrets. Each command's environment is sent with its request.
const LAUNCHER_ENVIRONMENT_KEYS = ["PATH", "HOME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TMPDIR", "TZ"];

export interface LaunchRequest {
  file: string;
  args: string[];
  cwd?: string;
  /** The command's whole environment; the launcher's minimal one when absent. */
  env?: Record<string, string>;
  /** Past this, the command is killed (SIGKILL) and its outcome says so. */
  timeoutMs?: number;
}

export type LaunchOutcome =
  | { kind: "exited"; code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer; timedOut?: boolean; stopped?: boolean }
  /** The command could not be started (missing binary or working directory). */
  | { kind: "not-started"; message: string };

type LaunchReply = LaunchOutcome & { id: number };

/** The launcher ended or could not be started, so a command's outcome is unknown. */
export class ProcessLauncherError extends Error {
  override readonly name = "ProcessLauncherError";
}

interface Pending {
  file: string;
  resolve: (outcome: LaunchOutcome) => void;
  reject: (error: Error) => void;
}

interface RunningLauncher {
  child: ChildProcess;
  pending: Map<number, Pending>;
  startError?: string;
}

export class ProcessLauncher {
  #running: RunningLauncher | null = null;
  #nextId = 0;

  /** Resolves with how the command ended; rejects with ProcessLauncherError only when the launcher failed. */
  async launch(request: LaunchRequest, signal?: AbortSignal): Promise<LaunchOutcome> {
    const running = this.#running ?? this.#start();
    const id = ++this.#nextId;
    // A stop request kills the command (with what it started); its outcome then says so.
    const stop = () => {
      if (running.child.connected) running.child.send({ kill: id }, () => {});
    };
    signal?.addEventListener("abort", stop, { once: true });
    return this.#send(running, id, request).finally(() => signal?.removeEventListener("abort", stop));
  }

  #send(running: RunningLauncher, id: number, request: LaunchRequest): Promise<LaunchOutcome> {
    return new Promise<LaunchOutcome>((resolve, reject) => {
      running.pending.set(id, { file: request.file, resolve, reject });
      if (running.pending.size === 1) holdAppOpen(running.child, true);
      const failed = (error: Error) => {
        settle(running, id)?.reject(new ProcessLauncherError(`Could not hand ${request.file} to the process launcher (${error.message}); retry`));
      };
      try {
        running.child.send({ id, ...request }, (error) => {
          // A launcher that has just ended fails the send too; "close" then reports how it ended.
          if (error && running.child.connected) failed(error);
        });
      } catch (error) {
        failed(error as Error);
      }
    });
  }

  #start(): RunningLauncher {
    if (!existsSync(LAUNCHER_SCRIPT)) {
      throw new ProcessLauncherError(
        `The process launcher script ${LAUNCHER_SCRIPT} is missing, so no command can be started. It ships beside process-launcher.ts; a bundle of the app must carry it beside the bundle.`,
      );
    }
    let child: ChildProcess;
    try {
      child = fork(LAUNCHER_SCRIPT, [], {
        // Not the app's loader or inspector flags: the launcher is plain JavaScript and should start fast.
        execArgv: [],
        env: launcherEnvironment(process.env),
        // Carries command output as Buffers, so large outputs need no JSON escaping.
        serialization: "advanced",
        stdio: ["ignore", "ignore", "inherit", "ipc"],
      });
    } catch (error) {
      throw new ProcessLauncherError(`The process launcher could not be started (${(error as Error).message}); retry`);
    }
    const running: RunningLauncher = { child, pending: new Map() };
    this.#running = running;

    child.on("message", (reply: LaunchReply) => {
      const { id, ...outcome } = reply;
      settle(running, id)?.resolve(outcome);
    });
    // From here on, new commands go to a new launcher.
    const retire = () => {
      if (this.#running === running) this.#running = null;
    };
    child.once("disconnect", retire);
    child.once("exit", retire);
    child.once("error", (error) => {
      // Only a launcher that never started has no pid; "close" follows and reports it.
      if (child.pid === undefined) running.startError = error.message;
      retire();
    });
    // "close" comes after the exit and after the channel's last message was read.
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
      retire();
      const how = running.startError ? `could not be started: ${running.startError}` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      for (const [id, pending] of running.pending) {
        settle(running, id);
        pending.reject(
          new ProcessLauncherError(
            `The process launcher ${how} while running ${pending.file}, so its outcome is unknown; retry (the next command starts a new launcher)`,
          ),
        );
      }
    });
    return running;
  }
}

function settle(running: RunningLauncher, id: number): Pending | undefined {
  const pending = running.pending.get(id);
  if (!pending) return undefined;
  running.pending.delete(id);
  if (running.pending.size === 0) holdAppOpen(running.child, false);
  return pending;
}

// An idle launcher must not keep the app's event loop alive; a pending command must.
function holdAppOpen(child: ChildProcess, hold: boolean): void {
  if (hold) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

function launcherEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const minimal: Record<string, string> = {};
  for (const key of LAUNCHER_ENVIRONMENT_KEYS) {
    const value = env[key];
    if (value !== undefined) minimal[key] = value;
  }
  return minimal;
}
