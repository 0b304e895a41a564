import { mkdir } from "node:fs/promises";
import { join, posix } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { ClaimedAction } from "../queue/claim-action.js";
import { finishAction, finishStep, startStep, type ActionEnd } from "../runs/transitions.js";
import type { Backpressure, ContainerRuntime, ExecSpec, OutputStream, RunningContainer } from "./container-runtime.js";
import { createLogWriter, SYSTEM_STEP, type LogWriter } from "./log-writer.js";
import { removeWorkspace } from "./workspace.js";
import { checkOutTarget } from "./check-out-target.js";
import type { InstallationTokens } from "./installation-tokens.js";
import { stepEnvironment } from "./step-environment.js";
import { ACTION_LABEL, RUN_LABEL } from "./container-labels.js";
import { formatDuration } from "../reporting/format-duration.js";
import { stopRequestOf, throwIfStopped, untilStopped } from "../queue/stop-request.js";
import { publishActionChanges, type PublishingDeps } from "./publish-action-changes.js";
import { secretsFor, type SecretStore } from "../security/secret-store.js";
import { createMasker } from "../security/mask-secrets.js";
import { maskingLogger } from "../security/masking-logger.js";
import { DEFAULT_MEMORY_BYTES, formatMemory } from "../security/container-hardening.js";
import { makeWritableForContainer } from "./workspace-access.js";
import { recordSecretFingerprints, storeErrorLine, storeSession } from "./action-records.js";
import {
  AGENT_MOUNT,
  agentDirFor,
  agentStepEnvironment,
  agentStepFiles,
  createAgentDir,
  prepareAgentStep,
  readAgentSession,
  removeAgentDir,
} from "./agent-files.js";
import { errorMessage } from "../error-message.js";

export interface ExecutionDeps {
  db: Db;
  runtime: ContainerRuntime;
  tokens: InstallationTokens;
  /** Secret values; a definition's `container.secrets` names which ones its container gets. */
  secrets: SecretStore;
  /** Turns a workspace with changes into a pull request. */
  publishing: PublishingDeps;
  /** Where workspaces are cloned, one directory per action. */
  workspaceRoot: string;
  /**
   * Where the repository caches live (./repository-mirror.ts), outside `workspaceRoot`; absent:
   * every action clones its target straight from the repository.
   */
  repositoryCacheDir?: string;
  log: Logger;
  /** Called after each stored change, so the reporter can send it without waiting to poll. */
  onChange(): void;
}

const WORKSPACE_MOUNT = "/workspace";

// The checkout belongs to the app's user, the steps run as another: without this, git in a step
// refuses the repository as of "dubious ownership". Environment config counts as command line.
const CHECKOUT_GIT_ENV = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "safe.directory", GIT_CONFIG_VALUE_0: "*" };

/**
 * Executes one claimed action: clone, container, steps in order, cleanup. Everything that
 * happens is recorded as it happens; whatever goes wrong ends the action with a readable reason.
 * When `signal` aborts (src/queue/stop-request.ts) the container is killed at once: a cancel
 * ends the action `stopped`, a shutdown leaves it to the worker to hand over.
 */
export async function executeAction(
  deps: ExecutionDeps,
  action: ClaimedAction,
  signal: AbortSignal = new AbortController().signal,
): Promise<void> {
  const { db, runtime, log: baseLog } = deps;
  const definition = action.run.definition;
  // Secrets first: everything stored or logged from here on is masked with their values.
  const secrets = secretsFor(deps.secrets, definition.container.secrets ?? []);
  const masker = createMasker(secrets.ok ? Object.values(secrets.values) : []);
  const log = maskingLogger(baseLog.child({ runId: action.runId, actionId: action.id }), masker);
  const output = createLogWriter(db, action.id, { masker });
  const workspaceDir = join(deps.workspaceRoot, action.id);
  const agentDir = agentDirFor(workspaceDir);
  // The agent sessions of the action's agent steps, one after the other, masked.
  let session = "";
  // The step that is running or failed, whose last output line is the action's error line.
  let failingStep: number | null = null;
  // The container being started; awaited before cleanup, so one that starts after a failure is removed too.
  let starting: Promise<RunningContainer> | null = null;
  // The checkout, when begun: awaited before the workspace is removed.
  let checkout: Promise<unknown> | null = null;
  // Its removal, once begun: the cleanup waits for this one rather than asking again.
  let removing: Promise<void> | null = null;
  const claim = { actionId: action.id, workerId: action.claimedBy ?? "", attempt: action.attempts };

  const finish = async (unmasked: ActionEnd) => {
    const end = { ...unmasked, reason: unmasked.reason == null ? unmasked.reason : masker.mask(unmasked.reason) };
    output.release();
    await output.flush().catch((err: unknown) => log.error({ err }, "could not store the end of the log"));
    if (end.status === "failed") {
      const line = (failingStep === null ? null : output.lastLine(failingStep)) ?? end.reason?.split("\n")[0] ?? null;
      if (line) await storeErrorLine(db, claim, masker.mask(line.trim())).catch((err: unknown) => log.error({ err }, "could not store the error line"));
    }
    await finishAction(db, claim, end);
    deps.onChange();
    log.info({ status: end.status, reason: end.reason }, "action finished");
  };

  // Set once the outcome is known; recorded only after cleanup, so a finished action has left
  // no container or workspace behind.
  let end: ActionEnd | null = null;
  try {
    throwIfStopped(signal);
    if (!secrets.ok) throw new Error(secrets.reason);
    const fingerprints = deps.secrets.fingerprints(secrets.values);
    if (fingerprints) await recordSecretFingerprints(db, action.runId, fingerprints);
    // The app's alone: checkouts in it are made writable for the container's user.
    await mkdir(deps.workspaceRoot, { recursive: true, mode: 0o700 });
    // An earlier attempt of this action, whose worker was killed, may have left its checkout here.
    await Promise.all([removeWorkspace(workspaceDir), removeAgentDir(agentDir)]);
    await mkdir(workspaceDir);
    await createAgentDir(agentDir);

    // The container starts while the target is cloned: its workspace is mounted empty and filled
    // in place. No step runs before both are ready. The last step waits in it as its main process,
    // so it starts without an exec and the container ends with it.
    const c = definition.container;
    const workingDir = action.project ? posix.join(WORKSPACE_MOUNT, action.project) : WORKSPACE_MOUNT;
    const stepCommand = (index: number) => {
      const step = definition.steps[index]!;
      const agentEnv = step.kind === "agent" ? agentStepEnvironment(agentStepFiles(agentDir, index)) : {};
      return {
        command: ["/bin/sh", "-c", step.kind === "run" ? step.run : step.agent.command],
        env: { ...stepEnvironment(action, step.env), ...agentEnv },
        workingDir,
      };
    };
    const finalStep = definition.steps.length - 1;
    const memoryLimit = c.resources?.memory ?? DEFAULT_MEMORY_BYTES;
    system(output, `Starting container from ${c.image}`);
    starting = runtime.start({
      image: c.image,
      workspaceDir,
      workspaceMount: WORKSPACE_MOUNT,
      extraMounts: [{ source: agentDir, target: AGENT_MOUNT }],
      env: { ...CHECKOUT_GIT_ENV, ...c.env, ...secrets.values },
      labels: { [ACTION_LABEL]: action.id, [RUN_LABEL]: action.runId },
      network: c.network ?? "bridge",
      finalCommand: finalStep >= 0 ? stepCommand(finalStep) : undefined,
      resources: {
        memoryBytes: c.resources?.memory,
        nanoCpus: c.resources?.cpus !== undefined ? Math.round(c.resources.cpus * 1e9) : undefined,
        pids: c.resources?.pids,
      },
    }, (line) => system(output, line), signal);
    // Awaited below and in the cleanup; a failure here is handled there.
    starting.catch(() => {});
    const checkingOut = (async () => {
      system(output, `Cloning ${action.repository} at ${action.ref}`);
      const token = await deps.tokens.tokenFor(action.run.installationId);
      const checkedOut = await checkOutTarget({
        cacheDir: deps.repositoryCacheDir,
        installationId: action.run.installationId,
        cloneUrl: action.cloneUrl,
        ref: action.ref,
        token,
        dir: workspaceDir,
        log: (line) => system(output, line),
        signal,
      });
      system(output, `Checked out ${checkedOut.headSha}`);
      // The container runs as a non-root user (src/security/container-hardening.ts).
      await makeWritableForContainer(workspaceDir);
      return checkedOut;
    })();
    checkout = checkingOut;
    // A stop request ends the wait at once: the pull and the checkout's git stop with it.
    const [workspace] = await untilStopped(Promise.all([checkingOut, starting]), signal);
    const started = await starting;
    signal.addEventListener("abort", () => void started.kill().catch(() => {}), { once: true });
    throwIfStopped(signal);

    const actionDeadline = c.timeout !== undefined ? Date.now() + c.timeout : Infinity;
    let failure: ActionEnd | null = null;

    for (const [index, step] of definition.steps.entries()) {
      if (!(await startStep(db, claim, index))) {
        // The action is no longer this worker's (cancelled, or recovered after a stall).
        return;
      }
      deps.onChange();
      failingStep = index;
      // An agent step runs like a run step, with its prompt and session files beside the checkout.
      const agent = step.kind === "agent" ? agentStepFiles(agentDir, index) : null;
      if (step.kind === "agent" && agent) await prepareAgentStep(agent, step.agent.prompt);
      const limit = Math.min(step.timeout ?? Infinity, actionDeadline - Date.now());
      const stepStartedAt = new Date();
      const result = await runWithLimit(
        started,
        limit,
        index === finalStep ? "final" : stepCommand(index),
        (stream, text) => output.write(index, stream, text),
        () => output.drained(),
      );
      output.release(index);
      const stepSession = agent ? await readAgentSession(agent) : null;
      if (stepSession !== null) {
        session += masker.mask(stepSession.endsWith("\n") ? stepSession : `${stepSession}\n`);
        await storeSession(db, claim, session);
      }
      throwIfStopped(signal);
      if (result.timedOut) {
        const reason = `timed out after ${formatDuration(limit)}`;
        await finishStep(db, claim, index, { status: "failed", exitCode: null, reason });
        failure = { status: "failed", reason: `step "${step.name}" ${reason}`, timedOut: true };
        break;
      }
      if (result.exitCode === 0) {
        await finishStep(db, claim, index, { status: "done", exitCode: 0 });
        failingStep = null;
      } else {
        // The kernel's OOM kill shows only as exit code 137 (SIGKILL); the engine knows the cause.
        const outOfMemory: boolean = result.exitCode === 137 && (await started.outOfMemory(stepStartedAt).catch(() => false));
        const stepReason = outOfMemory ? `out of memory (limit ${formatMemory(memoryLimit)})` : null;
        await finishStep(db, claim, index, { status: "failed", exitCode: result.exitCode, reason: stepReason });
        if (!step.continue_on_error) {
          failure = {
            status: "failed",
            reason: stepReason
              ? `step "${step.name}": ${stepReason}`
              : `step "${step.name}" failed with exit code ${result.exitCode}`,
          };
          break;
        }
        failingStep = null;
      }
      deps.onChange();
    }
    // All steps succeeded: the workspace's changes become the target's pull request (DESIGN.md §5.6).
    // No step runs any more: the container is removed while the changes are published, which
    // needs only the workspace on the host.
    removing = removeContainer(started, log);
    end = failure ?? (await publishActionChanges(deps, action, claim, workspace, (line) => system(output, line), signal));
  } catch (err) {
    if (signal.aborted) {
      // The kill made the step's command fail; what counts is why it was killed.
      const request = stopRequestOf(signal);
      system(output, request.kind === "cancel" ? `Stopped: ${request.reason}` : "Stopped: the worker is shutting down");
      if (request.kind === "cancel") end = { status: "stopped", reason: request.reason };
      else {
        output.release();
        await output.flush().catch(() => {});
      }
      return;
    }
    const reason = errorMessage(err);
    system(output, `Error: ${reason}`);
    log.warn({ err }, "action failed before its steps could finish");
    end = { status: "failed", reason };
  } finally {
    // Nothing may still be writing to the workspace when it is removed (a stopped checkout ends at once).
    await checkout?.catch(() => {});
    const container = starting ? await starting.catch(() => null) : null;
    if (container) await (removing ?? removeContainer(container, log));
    // The container is gone, so nothing writes to these any more.
    await Promise.all([
      removeWorkspace(workspaceDir).catch((err: unknown) => log.warn({ err }, "could not remove the workspace")),
      removeAgentDir(agentDir).catch((err: unknown) => log.warn({ err }, "could not remove the agent files")),
    ]);
    if (end) await finish(end);
  }
}

/** Removes the container; a failure is logged and does not change the action's outcome. */
function removeContainer(container: RunningContainer, log: Logger): Promise<void> {
  return container.remove().catch((err: unknown) => log.warn({ err }, "could not remove the container"));
}

function system(output: LogWriter, line: string) {
  output.write(SYSTEM_STEP, "system", `${line}\n`);
}

/**
 * Runs one command, by exec or as the container's final command; past `limitMs` the container is
 * killed and the result says so.
 */
async function runWithLimit(
  container: RunningContainer,
  limitMs: number,
  command: ExecSpec | "final",
  onText: (stream: OutputStream, text: string) => void,
  // Output faster than the database stores it pauses the command instead of filling memory.
  backpressure: Backpressure,
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
    const onOutput = (stream: OutputStream, chunk: Buffer) => onText(stream, decoders[stream].write(chunk));
    const { exitCode } = await (command === "final" ? container.runFinal(onOutput, backpressure) : container.exec(command, onOutput, backpressure))
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
