import { and, eq, lt, ne, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { ContainerRuntime } from "../execution/container-runtime.js";
import { ACTION_LABEL } from "../execution/container-labels.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import { actions, actionSteps } from "../runs/runs.sql.js";
import { endAction, refreshRunStatus } from "../runs/transitions.js";

/** An action is tried again after a lost worker only if it had not started a step, and once. */
export const MAX_ATTEMPTS = 2;

// Checked again in each guarded update: the worker may have renewed since the action was listed.
const leaseExpired = and(eq(actions.status, "running"), lt(actions.leaseExpiresAt, sql`now()`));
const leaseExpiredFor = (actionId: string) => and(eq(actions.id, actionId), leaseExpired);

export interface Recovery {
  retried: string[];
  failed: string[];
}

/**
 * Finds running actions whose worker stopped renewing its lease (it crashed or hung), removes
 * whatever container it left, and either queues the action again (no step had started: nothing
 * the target could have seen happened) or fails it with the reason "worker lost".
 */
export async function recoverLostActions(db: Db, runtime: ContainerRuntime, log: Logger): Promise<Recovery> {
  const lost = await db
    .select({ id: actions.id, attempts: actions.attempts, claimedBy: actions.claimedBy, leaseExpiresAt: actions.leaseExpiresAt })
    .from(actions)
    .where(leaseExpired)
    .limit(100);
  const recovery: Recovery = { retried: [], failed: [] };
  for (const action of lost) {
    // The container goes first: once the action is pending again, a new container may carry the label.
    await runtime.removeByLabel(ACTION_LABEL, action.id);
    const outcome = await db.transaction(async (tx) => {
      const started = await tx
        .select({ index: actionSteps.index })
        .from(actionSteps)
        .where(and(eq(actionSteps.actionId, action.id), ne(actionSteps.status, "pending")))
        .limit(1);
      if (started.length === 0 && action.attempts < MAX_ATTEMPTS) {
        const requeued = await tx
          .update(actions)
          .set({ status: "pending", claimedBy: null, leaseExpiresAt: null, startedAt: null })
          .where(leaseExpiredFor(action.id))
          .returning({ runId: actions.runId });
        const row = requeued[0];
        if (!row) return null;
        await tx.insert(checkOutbox).values({ runId: row.runId, actionId: action.id, phase: "queued" });
        await refreshRunStatus(tx, row.runId);
        return "retried" as const;
      }
      const reason = `worker lost: ${action.claimedBy ?? "the worker"} stopped renewing its lease (expired ${action.leaseExpiresAt?.toISOString() ?? "earlier"})`;
      const ended = await endAction(tx, action.id, leaseExpiredFor(action.id), { status: "failed", reason }, { status: "failed", reason: "worker lost" });
      return ended ? ("failed" as const) : null;
    });
    if (outcome) {
      recovery[outcome].push(action.id);
      log.warn({ actionId: action.id, worker: action.claimedBy, outcome }, "recovered an action whose worker was lost");
    }
  }
  return recovery;
}
