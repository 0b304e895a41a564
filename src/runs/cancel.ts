import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client.js";
import type { Wakeups } from "../queue/wakeups.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import { actions, actionSteps, runs } from "./runs.sql.js";
import { refreshRunStatus } from "./transitions.js";

export interface CancelOutcome {
  /** Pending actions stopped before they started (their checks read `skipped`). */
  skipped: number;
  /** Running actions asked to stop; the worker holding each kills its container. */
  stopping: number;
  /** Actions that had already finished (or were already being stopped): left as they were. */
  alreadyFinished: number;
}

export interface CancelDeps {
  db: Db;
  wakeups: Wakeups;
}

/** The reason a cancelled action ends with; the worker writes it when the container is gone. */
export function cancelReason(by: string, started: boolean): string {
  return started ? `cancelled by @${by}` : `cancelled by @${by} before it started`;
}

/**
 * Cancels every action of a run: pending ones are stopped at once, running ones are marked
 * so that the worker holding each kills its container (DESIGN.md §5 step 7). Repeating it, or
 * cancelling a finished run, changes nothing.
 */
export async function cancelRun(deps: CancelDeps, runId: string, by: string): Promise<CancelOutcome> {
  const outcome = await deps.db.transaction(async (tx) => {
    const outcome = await cancelWhere(tx, eq(actions.runId, runId), runId, by);
    if (outcome.skipped + outcome.stopping > 0) {
      await tx.update(runs).set({ cancelledBy: by }).where(and(eq(runs.id, runId), isNull(runs.cancelledBy)));
    }
    return outcome;
  });
  announce(deps.wakeups, outcome);
  return outcome;
}

/** Cancels one action, as `cancelRun` does for all of a run's. */
export async function cancelAction(deps: CancelDeps, actionId: string, by: string): Promise<CancelOutcome> {
  const outcome = await deps.db.transaction(async (tx) => {
    const [row] = await tx.select({ runId: actions.runId }).from(actions).where(eq(actions.id, actionId));
    if (!row) return { skipped: 0, stopping: 0, alreadyFinished: 0 };
    return cancelWhere(tx, eq(actions.id, actionId), row.runId, by);
  });
  announce(deps.wakeups, outcome);
  return outcome;
}

// Locks are taken in the order every transition takes them (actions, then their run), so a
// cancel racing a claim or an action's end waits for it instead of deadlocking.
async function cancelWhere(tx: Tx, which: ReturnType<typeof eq>, runId: string, by: string): Promise<CancelOutcome> {
  // Pending → stopped without starting: conditional on still pending, so a claim that won the
  // row first leaves it running (and the next statement asks its worker to stop it).
  const stopped = await tx
    .update(actions)
    .set({ status: "stopped", reason: cancelReason(by, false), finishedAt: sql`now()`, startedAt: null })
    .where(and(which, eq(actions.status, "pending")))
    .returning({ id: actions.id });
  const stoppedIds = stopped.map((a) => a.id);
  if (stoppedIds.length > 0) {
    await tx
      .update(actionSteps)
      .set({ status: "skipped" })
      .where(and(inArray(actionSteps.actionId, stoppedIds), eq(actionSteps.status, "pending")));
    await tx.insert(checkOutbox).values(stoppedIds.map((actionId) => ({ runId, actionId, phase: "completed" as const })));
  }
  // Running: the reason is kept on the row until its worker ends the action with it (only
  // finished actions show a reason). The first cancel wins; a repeat finds nothing to mark.
  const marked = await tx
    .update(actions)
    .set({ cancelRequestedAt: sql`now()`, reason: cancelReason(by, true) })
    .where(and(which, eq(actions.status, "running"), isNull(actions.cancelRequestedAt)))
    .returning({ id: actions.id });
  const [untouched] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(actions)
    .where(which);
  if (stoppedIds.length > 0) await refreshRunStatus(tx, runId);
  const total = untouched?.count ?? 0;
  return { skipped: stoppedIds.length, stopping: marked.length, alreadyFinished: total - stoppedIds.length - marked.length };
}

function announce(wakeups: Wakeups, outcome: CancelOutcome) {
  // After commit: a worker woken by this reads the committed cancel.
  if (outcome.stopping > 0) wakeups.notify("cancels");
  if (outcome.skipped > 0) wakeups.notify("checks");
}
