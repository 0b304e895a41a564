import { mkdir } from "node:fs/promises";
import { join, posix } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { ClaimedAction } from "../queue/claim-action.js";
import { finishAction, finishStep, startStep, type ActionEnd } from "../runs/transitions.js";
import type { ContainerRuntime, OutputStream, RunningContainer } from "./container-runtime.js";
import { createLogWriter, SYSTEM_STEP, type LogWriter } from "./log-writer.js";
import { cloneWorkspace, removeWorkspace } from "./workspace.js";
import type { InstallationTokens } from "./installation-tokens.js";
import { stepEnvironment } from "./step-environment.js";
import { ACTION_LABEL, RUN_LABEL } from "./container-labels.js";
import { formatDuration } from "../reporting/format-duration.js";

export interface ExecutionDeps {
  db: Db;
  runtime: ContainerRuntime;
  tokens: InstallationTokens;
  /** Where workspaces are cloned, one directory per action. */
  workspaceRoot: string;
  log: Logger;
  /** Called after each stored change, so the reporter can send it without waiting to poll. */
  onChange(): void;
}

const WORKSPACE_MOUNT = "/workspace";

/**
 * Executes one claimed action: clone, container, steps in order, cleanup. Everything that
 * happens is recorded as it happens; whatever goes wrong ends the action with a readable reason.
 */
export async function executeAction(deps: ExecutionDeps, action: ClaimedAction): Promise<void> {
  const { db, runtime, log: baseLog } = deps;
  const log = baseLog.child({ runId: action.runId, actionId: action.id });
  const definition = action.run.definition;
  const output = createLogWriter(db, action.id);
  const workspaceDir = join(deps.workspaceRoot, action.id);
  let container: RunningContainer | null = null;
  const claim = { actionId: action.id, workerId: action.claimedBy ?? "", attempt: action.attempts };

  const finish = async (end: ActionEnd) => {
    await output.flush().catch((err: unknown) => log.error({ err }, "could not store the end of the log"));
    await finishAction(db, claim, end);
    deps.onChange();
    log.info({ status: end.status, reason: end.reason }, "action finished");
  };

  // Set once the outcome is known; recorded only after cleanup, so a finished action has left
  // no container or workspace behind.
  let end: ActionEnd | null = null;
  try {
    system(output, `Cloning ${action.repository} at ${action.ref}`);
    await mkdir(deps.workspaceRoot, { recursive: true });
    const token = await deps.tokens.tokenFor(action.run.installationId);
    const workspace = await cloneWorkspace({
      cloneUrl: action.cloneUrl,
      ref: action.ref,
      token,
      dir: workspaceDir,
      log: (line) => system(output, line),
    });
    system(output, `Checked out ${workspace.headSha}`);

    const c = definition.container;
    system(output, `Starting container from ${c.image}`);
    container = await runtime.start({
      image: c.image,
      workspaceDir,
      workspaceMount: WORKSPACE_MOUNT,
      env: c.env ?? {},
      labels: { [ACTION_LABEL]: action.id, [RUN_LABEL]: action.runId },
      network: c.network ?? "bridge",
      resources: {
        memoryBytes: c.resources?.memory,
        nanoCpus: c.resources?.cpus !== undefined ? Math.round(c.resources.cpus * 1e9) : undefined,
        pids: c.resources?.pids,
      },
    });

    const workingDir = action.project ? posix.join(WORKSPACE_MOUNT, action.project) : WORKSPACE_MOUNT;
    const actionDeadline = c.timeout !== undefined ? Date.now() + c.timeout : Infinity;
    let failure: ActionEnd | null = null;

    for (const [index, step] of definition.steps.entries()) {
      if (!(await startStep(db, claim, index))) {
        // The action is no longer this worker's (cancelled, or recovered after a stall).
        return;
      }
      deps.onChange();
      if (step.kind !== "run") {
        await finishStep(db, claim, index, { status: "failed", exitCode: null, reason: "agent steps are not supported by this version" });
        failure = { status: "failed", reason: `step "${step.name}": agent steps are not supported by this version` };
        break;
      }
      const limit = Math.min(step.timeout ?? Infinity, actionDeadline - Date.now());
      const result = await execWithLimit(container, limit, {
        command: ["/bin/sh", "-c", step.run],
        env: stepEnvironment(action, step.env),
        workingDir,
      }, (stream, text) => output.write(index, stream, text));
      if (result.timedOut) {
        const reason = `timed out after ${formatDuration(limit)}`;
        await finishStep(db, claim, index, { status: "failed", exitCode: null, reason });
        failure = { status: "failed", reason: `step "${step.name}" ${reason}`, timedOut: true };
        break;
      }
      if (result.exitCode === 0) {
        await finishStep(db, claim, index, { status: "done", exitCode: 0 });
      } else {
        await finishStep(db, claim, index, { status: "failed", exitCode: result.exitCode, reason: null });
        if (!step.continue_on_error) {
          failure = { status: "failed", reason: `step "${step.name}" failed with exit code ${result.exitCode}` };
          break;
        }
      }
      deps.onChange();
    }
    end = failure ?? { status: "done" };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    system(output, `Error: ${reason}`);
    log.warn({ err }, "action failed before its steps could finish");
    end = { status: "failed", reason };
  } finally {
    if (container) await container.remove().catch((err: unknown) => log.warn({ err }, "could not remove the container"));
    await removeWorkspace(workspaceDir).catch((err: unknown) => log.warn({ err }, "could not remove the workspace"));
    if (end) await finish(end);
  }
}

function system(output: LogWriter, line: string) {
  output.write(SYSTEM_STEP, "system", `${line}\n`);
}

/** Runs one command; past `limitMs` the container is killed and the result says so. */
async function execWithLimit(
  container: RunningContainer,
  limitMs: number,
  spec: { command: string[]; env: Record<string, string>; workingDir: string },
  onText: (stream: OutputStream, text: string) => void,
): Promise<{ exitCode: number; timedOut: boolean }> {
  // Chunks can split a multi-byte character; decode each stream on its own.
  const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  let timedOut = false;
  const timer =
    Number.isFinite(limitMs)
      ? setTimeout(() => {
          timedOut = true;
          void container.kill().catch(() => {});
        }, Math.max(0, limitMs))
      : null;
  try {
    const { exitCode } = await container
      .exec(spec, (stream, chunk) => onText(stream, decoders[stream].write(chunk)))
      .catch((err: unknown) => {
        if (timedOut) return { exitCode: -1 };
        throw err;
      });
    for (const stream of ["stdout", "stderr"] as const) onText(stream, decoders[stream].end());
    return { exitCode, timedOut };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
