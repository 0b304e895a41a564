import { randomUUID } from "node:crypto";
import { and, count, eq, gt, inArray, isNull, max } from "drizzle-orm";
import pino, { type Logger } from "pino";
import type { AutomationDefinition } from "../src/automations/definition-schema.js";
import { parseDefinition } from "../src/automations/parse-definition.js";
import type { Db } from "../src/db/client.js";
import type { ContainerRuntime } from "../src/execution/container-runtime.js";
import { executeAction } from "../src/execution/execute-action.js";
import type { InstallationTokens } from "../src/execution/installation-tokens.js";
import type { PullRequestsApi } from "../src/execution/pull-requests-api.js";
import { recoverLostActions } from "../src/queue/recover-lost-actions.js";
import { startWorker, type Worker } from "../src/queue/worker.js";
import { inProcessWakeups, type Wakeups } from "../src/queue/wakeups.js";
import type { ChecksApi } from "../src/reporting/checks-api.js";
import { startReporter, type Reporter } from "../src/reporting/reporter.js";
import { createRun, type NewTarget } from "../src/runs/create-run.js";
import { secretStore } from "../src/security/secret-store.js";
import { actions } from "../src/runs/runs.sql.js";
import { checkOutbox } from "../src/reporting/outbox.sql.js";
import { isFinished } from "../src/runs/statuses.js";

// Runs recorded and executed the way the app does it (createRun, the worker, executeAction, the
// reporter), with GitHub's parts replaced: the benchmarks measure the app, not api.github.com.

export const INSTALLATION_ID = 4242;

export function benchLog(): Logger {
  return pino({ level: process.env.BENCH_LOG_LEVEL ?? "silent" });
}

export function benchDefinition(source: string): AutomationDefinition {
  const parsed = parseDefinition(source, ".github/automations/bench.yml");
  if (!parsed.ok) throw new Error(`the benchmark's own definition is invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.definition;
}

export async function createBenchRun(
  db: Db,
  options: { source: string; repository: string; repositoryId: number; headSha: string; targets: NewTarget[] },
): Promise<string> {
  const definition = benchDefinition(options.source);
  const { runId } = await createRun(db, {
    automation: definition.name,
    installationId: INSTALLATION_ID,
    repository: options.repository,
    repositoryId: options.repositoryId,
    headSha: options.headSha,
    trigger: { kind: "comment", commentId: 1, issueNumber: 1, isPullRequest: true, sender: "octocat" },
    deliveryId: randomUUID(),
    commandIndex: 0,
    definition,
    definitionSource: options.source,
    definitionPath: ".github/automations/bench.yml",
    definitionSha: "0000000000000000000000000000000000000000",
    definitionRepository: options.repository,
    targets: options.targets,
  });
  return runId;
}

// The benchmarks' steps change nothing, so no pull request is ever due; one asked for is a fault.
const refuse = async (): Promise<never> => {
  throw new Error("the benchmark's actions change nothing, so no pull request should be asked for");
};
const noPullRequests: PullRequestsApi = { defaultBranch: refuse, findOpen: refuse, create: refuse, update: refuse, addLabels: refuse };

export const LEASE_MS = 30_000;

export async function recoverLost(db: Db, runtime: ContainerRuntime, wakeups: Wakeups): Promise<void> {
  const recovered = await recoverLostActions(db, runtime, benchLog());
  if (recovered.retried.length + recovered.failed.length + recovered.stopped.length > 0) {
    wakeups.notify("actions");
    wakeups.notify("checks");
  }
}

/** Actions of the run taken more than once: their first claim was lost (an error, a crash) and recovered. */
/** The actions of one run, or of several. */
const ofRuns = (runId: string | string[]) => (typeof runId === "string" ? eq(actions.runId, runId) : inArray(actions.runId, runId));

export async function retriedActions(db: Db, runId: string | string[]): Promise<number> {
  const [row] = await db.select({ n: count() }).from(actions).where(and(ofRuns(runId), gt(actions.attempts, 1)));
  return row?.n ?? 0;
}

export interface Execution {
  wakeups: Wakeups;
  worker: Worker;
  reporter: Reporter;
  stop(): Promise<void>;
}

/** The worker and the reporter as src/background.ts starts them, on the given parts. */
export function startExecution(options: {
  db: Db;
  runtime: ContainerRuntime;
  tokens: InstallationTokens;
  checks: ChecksApi;
  workspaceRoot: string;
  /** The repository cache's directory (src/execution/repository-mirror.ts); absent: no cache. */
  repositoryCacheDir?: string;
  concurrency: number;
  pollMs?: number;
}): Execution {
  const { db, runtime, tokens, checks, workspaceRoot, concurrency } = options;
  const log = benchLog();
  const pollMs = options.pollMs ?? 1_000;
  const wakeups = inProcessWakeups();
  const reporter = startReporter({ db, wakeups, checks, log, pollMs });
  const worker = startWorker({
    db,
    wakeups,
    workerId: `bench-${randomUUID()}`,
    concurrency,
    leaseMs: LEASE_MS,
    pollMs,
    log,
    // As in src/background.ts: an action whose worker lost it is brought back once its lease ends.
    recover: () => recoverLost(db, runtime, wakeups),
    recoverEveryMs: LEASE_MS / 2,
    execute: (action, signal) =>
      executeAction(
        {
          db,
          runtime,
          tokens,
          secrets: secretStore({ values: {} }),
          publishing: { pulls: noPullRequests, appSlug: "automations-bench", publicUrl: undefined },
          workspaceRoot,
          repositoryCacheDir: options.repositoryCacheDir,
          log,
          onChange: () => wakeups.notify("checks"),
        },
        action,
        signal,
      ),
  });
  wakeups.notify("actions");
  wakeups.notify("checks");
  return {
    wakeups,
    worker,
    reporter,
    async stop() {
      await worker.stop();
      await reporter.drain().catch(() => {});
      await reporter.stop();
    },
  };
}

/**
 * Resolves, once every run in `runIds` has finished, with when its last action finished. Gives up
 * when no action has finished for `stallMs`: a stuck queue should end the benchmark with a reason,
 * not hang it.
 */
export async function waitForRuns(db: Db, runIds: string[], stallMs = 90_000): Promise<Date> {
  let finished = -1;
  let progressAt = Date.now();
  for (;;) {
    const rows = await db
      .select({ status: actions.status, n: count() })
      .from(actions)
      .where(inArray(actions.runId, runIds))
      .groupBy(actions.status);
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    const done = rows.filter((r) => isFinished(r.status)).reduce((sum, r) => sum + r.n, 0);
    if (done === total) {
      const [last] = await db.select({ at: max(actions.finishedAt) }).from(actions).where(inArray(actions.runId, runIds));
      if (!last?.at) throw new Error("the runs' actions finished without a finish time");
      return last.at;
    }
    if (done !== finished) {
      finished = done;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > stallMs) {
      const counts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      throw new Error(
        `no action finished for ${stallMs / 1000} s (actions by status: ${JSON.stringify(counts)}); ` +
          "the queue is stuck: run with BENCH_LOG_LEVEL=info to see the worker's errors",
      );
    }
    // The finish time is read from the actions, so a slow poll costs no precision and leaves the
    // app the CPU.
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resolves once the reporter has sent (or given up on) every check update; gives up after `stallMs` without progress. */
export async function waitForChecksSent(db: Db, stallMs = 60_000): Promise<void> {
  let unsent = Number.POSITIVE_INFINITY;
  let progressAt = Date.now();
  for (;;) {
    const [row] = await db.select({ n: count() }).from(checkOutbox).where(and(isNull(checkOutbox.sentAt), isNull(checkOutbox.gaveUpAt)));
    const n = row?.n ?? 0;
    if (n === 0) return;
    if (n < unsent) {
      unsent = n;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > stallMs) {
      throw new Error(`${n} check updates unsent and none sent for ${stallMs / 1000} s; the reporter is stuck`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many actions of the run ended in each status. */
export async function actionOutcomes(db: Db, runId: string | string[]): Promise<Record<string, number>> {
  const rows = await db.select({ status: actions.status, n: count() }).from(actions).where(ofRuns(runId)).groupBy(actions.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** The stored reason of one failed action, to say why in the output. */
export async function firstFailure(db: Db, runId: string | string[]): Promise<string | null> {
  const [row] = await db.select({ reason: actions.reason }).from(actions).where(and(ofRuns(runId), eq(actions.status, "failed"))).limit(1);
  return row?.reason ?? null;
}
