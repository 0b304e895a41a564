import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import { actions, actionSteps } from "../runs/runs.sql.js";
import { endAction, refreshRunStatus } from "../runs/transitions.js";

/** An action is tried again after its worker went away only if it had not started a step, and once. */
export const MAX_ATTEMPTS = 2;

export type HandBack = "retried" | "failed" | "stopped";

/**
 * What becomes of a running action its worker can no longer finish (it was lost, or shut down):
 * a cancel asked for it wins (stopped with the cancel's reason); otherwise it is queued again if
 * no step had started (nothing the target could have seen happened) and it has attempts left;
 * otherwise it fails with `why`. The caller removes the container first: once the action is
 * pending again, a new container may carry its label.
 *
 * `guard` says which worker's hold is being ended; null when it no longer matches.
 */
export async function handBackAction(
  tx: Tx,
  actionId: string,
  guard: ReturnType<typeof and>,
  why: { reason: string; stepReason: string },
): Promise<HandBack | null> {
  const [action] = await tx
    .select({ attempts: actions.attempts, cancelRequestedAt: actions.cancelRequestedAt, reason: actions.reason })
    .from(actions)
    .where(guard)
    .for("update");
  if (!action) return null;
  if (action.cancelRequestedAt) {
    const ended = await endAction(tx, actionId, guard, { status: "stopped", reason: action.reason ?? "cancelled" });
    return ended ? "stopped" : null;
  }
  const started = await tx
    .select({ index: actionSteps.index })
    .from(actionSteps)
    .where(and(eq(actionSteps.actionId, actionId), ne(actionSteps.status, "pending")))
    .limit(1);
  if (started.length === 0 && action.attempts < MAX_ATTEMPTS) {
    const requeued = await tx
      .update(actions)
      .set({ status: "pending", claimedBy: null, leaseExpiresAt: null, startedAt: null })
      .where(guard)
      .returning({ runId: actions.runId });
    const row = requeued[0];
    if (!row) return null;
    await tx.insert(checkOutbox).values({ runId: row.runId, actionId, phase: "queued" });
    await refreshRunStatus(tx, row.runId);
    return "retried";
  }
  const ended = await endAction(tx, actionId, guard, { status: "failed", reason: why.reason }, { status: "failed", reason: why.stepReason });
  return ended ? "failed" : null;
}

/** Guard for an action still held by this worker and attempt. */
export function heldByWorker(actionId: string, workerId: string, attempt: number) {
  return and(eq(actions.id, actionId), eq(actions.status, "running"), eq(actions.claimedBy, workerId), eq(actions.attempts, attempt));
}

/** Lets the leases of actions this worker still holds run out now, so any live replica recovers them. */
export async function expireLeases(db: Db, actionIds: string[], workerId: string): Promise<void> {
  if (actionIds.length === 0) return;
  await db
    .update(actions)
    .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
    .where(and(inArray(actions.id, actionIds), eq(actions.claimedBy, workerId), eq(actions.status, "running")));
}
