import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { ChecksApi } from "./checks-api.js";
import { wakeupLatch } from "../queue/idle-wait.js";
import type { Wakeups } from "../queue/wakeups.js";
import { classifySendError, exponentialBackoffMs } from "./github-errors.js";
import {
  claimCheck,
  dueChecks,
  giveUp,
  markSent,
  pauseInstallation,
  retryLater,
  type CheckKey,
} from "./outbox-claims.js";
import { sendActionCheck, sendRunSummary, type SendDeps } from "./send-check.js";
import { sentFieldsMemory } from "./sent-fields.js";
import { pageLinks } from "./page-links.js";
import { enqueueLogProgress } from "./log-progress.js";

export interface ReporterOptions {
  db: Db;
  checks: ChecksApi;
  wakeups: Wakeups;
  log: Logger;
  /** Longest sleep without a wake-up; a safety net, wake-ups and due times come first. */
  pollMs: number;
  /** The app's public address, for each check's `details_url`. */
  publicUrl?: string;
  /** Longest wait before retrying, whatever GitHub asks for (default 15 minutes). */
  maxBackoffMs?: number;
  /** The first retry's wait after a failed send (default 1 second), doubled with each attempt. */
  baseBackoffMs?: number;
  /** Least time between two progress updates (step changes, a growing log) of one action's check (default 3 seconds). */
  progressIntervalMs?: number;
  /** Least time between two updates of a running run's summary check (default 5 seconds). */
  summaryIntervalMs?: number;
  /** How long a send holds its rows before another reporter may take them over (default 2 minutes). */
  holdMs?: number;
  /** Attempts before a change GitHub refuses (422, 404, …) is given up (default 3). */
  maxRefusedAttempts?: number;
  /** The clock, for rate-limit resets (default Date.now). */
  now?: () => number;
}

export interface Reporter {
  /** Sends what is due now; resolves when nothing more is due (deferred progress may still wait). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What one check's send came to. `dueInMs`: when its rows are due again as far as this reporter
 * knows (a deferral, a retry's wait, rows another reporter holds), null when none are left.
 */
type Outcome = { kind: "sent" | "deferred" | "failed" | "none"; dueInMs: number | null };

/** Checks taken per pass: a pass that finds this many looks again at once. */
const PASS_LIMIT = 200;

/**
 * Keeps check runs in step with the database from the outbox (DESIGN.md §6): each action's check
 * and each run's summary check. A send shows a check's current state; waiting rows only say that
 * it changed and how urgently. Failed sends are retried with backoff, rate limits waited out, and
 * nothing is lost across restarts: the rows stay until GitHub has taken the change.
 */
export function startReporter(options: ReporterOptions): Reporter {
  const { db, wakeups, log, pollMs } = options;
  const abort = new AbortController();
  const deps: SendDeps = {
    db,
    checks: options.checks,
    links: pageLinks(options.publicUrl),
    onActionRowWritten: () => wakeups.notify("actions"),
    sent: sentFieldsMemory(),
  };
  const maxBackoffMs = options.maxBackoffMs ?? 15 * 60_000;
  const baseBackoffMs = Math.min(options.baseBackoffMs ?? 1_000, maxBackoffMs);
  const holdMs = options.holdMs ?? 120_000;
  const progressIntervalMs = options.progressIntervalMs ?? 3_000;
  const maxRefusedAttempts = options.maxRefusedAttempts ?? 3;
  const now = options.now ?? Date.now;

  const sendCheck = async (key: CheckKey): Promise<Outcome> => {
    const summary = key.actionId === null;
    const claim = await claimCheck(db, key, {
      intervalMs: summary ? (options.summaryIntervalMs ?? 5_000) : progressIntervalMs,
      holdMs,
    });
    if (claim.kind !== "claimed") return claim;
    const context = { runId: key.runId, actionId: key.actionId ?? undefined, check: summary ? "summary" : "action", attempts: claim.attempts };
    try {
      if (key.actionId === null) await sendRunSummary(deps, key.runId, claim.begunBefore);
      else await sendActionCheck(deps, key.actionId, claim.begunBefore);
      await markSent(db, claim.rowIds, claim.claimedAt);
      return { kind: "sent", dueInMs: null };
    } catch (err) {
      const failure = classifySendError(err, claim.attempts, { baseMs: baseBackoffMs, maxBackoffMs, now: now() });
      const what = summary ? `the summary check of run ${key.runId}` : `the check of action ${key.actionId}`;
      if (failure.kind === "retry") {
        const error = `Could not update ${what}: ${failure.reason}. Retrying in ${Math.ceil(failure.waitMs / 1000)}s.`;
        await retryLater(db, claim.rowIds, failure.waitMs, error);
        if (failure.rateLimited) await pauseInstallation(db, key.installationId, failure.waitMs);
        log.warn({ ...context, err, waitMs: failure.waitMs, rateLimited: failure.rateLimited }, error);
        return { kind: "failed", dueInMs: failure.waitMs };
      }
      if (claim.attempts >= maxRefusedAttempts) {
        const error = `Gave up updating ${what} after ${claim.attempts} attempts: ${failure.reason}. Later changes are still sent.`;
        await giveUp(db, claim.rowIds, error);
        log.error({ ...context, err }, error);
        return { kind: "failed", dueInMs: null };
      }
      // A refusal can be passing (a commit GitHub has not indexed yet): a few spaced attempts.
      const waitMs = exponentialBackoffMs(claim.attempts, { baseMs: baseBackoffMs, maxBackoffMs });
      const error = `GitHub refused ${what}: ${failure.reason}. Trying again (${claim.attempts} of ${maxRefusedAttempts}).`;
      await retryLater(db, claim.rowIds, waitMs, error);
      log.warn({ ...context, err, waitMs }, error);
      return { kind: "failed", dueInMs: waitMs };
    }
  };

  /**
   * One pass over the checks with changes due. Returns how many it acted on, whether it took as
   * many as a pass takes (more may be due), and when, on `performance.now()`'s clock, the next
   * waiting change it knows of is due (null: none waits).
   */
  const sendDue = async (): Promise<{ acted: number; full: boolean; nextDueAt: number | null }> => {
    const { due, nextDueInMs } = await dueChecks(db, PASS_LIMIT);
    let nextDueAt = nextDueInMs === null ? null : performance.now() + nextDueInMs;
    let acted = 0;
    for (const key of due) {
      if (abort.signal.aborted) break;
      const outcome = await sendCheck(key);
      if (outcome.kind !== "none") acted += 1;
      if (outcome.dueInMs !== null) nextDueAt = Math.min(nextDueAt ?? Infinity, performance.now() + outcome.dueInMs);
    }
    return { acted, full: due.length >= PASS_LIMIT, nextDueAt };
  };

  // Passes never overlap: the background loop's and drain()'s take turns.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const result = turn.then(work);
    turn = result.catch(() => undefined);
    return result;
  };

  let draining: Promise<void> | null = null;
  const drain = () => {
    draining ??= (async () => {
      try {
        while (!abort.signal.aborted && (await inTurn(sendDue)).acted > 0) {
          // keep going while there is work
        }
      } finally {
        draining = null;
      }
    })();
    return draining;
  };

  const loop = (async () => {
    const work = wakeupLatch(wakeups, "checks");
    while (!abort.signal.aborted) {
      let waitMs = pollMs;
      const mark = work.mark();
      try {
        await enqueueLogProgress(db, progressIntervalMs);
        // One pass per wake-up, not passes until one finds nothing (that last one was always
        // empty), and its look also says when the rest is due. Nothing is missed by stopping:
        //  - what waited when the pass looked is taken by it (each send says when its rows are
        //    due again: deferred, retried, held by another reporter) or is in its next due time;
        //  - what is written after the look notifies "checks" once committed (the worker's
        //    onChange after each transition, a claim's row before its first step's; new runs,
        //    cancels, recovery, hand-backs), and the latch was marked before the look;
        //  - a change written without a wake-up is found by polling, as one written after the
        //    old last look was.
        const pass = await inTurn(sendDue);
        if (pass.full && pass.acted > 0) continue;
        if (pass.nextDueAt !== null) waitMs = Math.min(pollMs, Math.max(pass.nextDueAt - performance.now(), 10));
      } catch (err) {
        log.error({ err }, "reporter pass failed; retrying shortly");
      }
      await work.wait(mark, waitMs, abort.signal);
    }
    work.close();
  })();

  return {
    drain,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
