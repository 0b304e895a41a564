import { and, eq, lt, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { ContainerRuntime } from "../execution/container-runtime.js";
import { ACTION_LABEL } from "../execution/container-labels.js";
import { actions } from "../runs/runs.sql.js";
import { handBackAction } from "./hand-back-action.js";

export { MAX_ATTEMPTS } from "./hand-back-action.js";

// Checked again in each guarded update: the worker may have renewed since the action was listed.
const leaseExpired = and(eq(actions.status, "running"), lt(actions.leaseExpiresAt, sql`now()`));
const leaseExpiredFor = (actionId: string) => and(eq(actions.id, actionId), leaseExpired);

export interface Recovery {
  retried: string[];
  failed: string[];
  /** Lost while a cancel was on its way: stopped as the cancel asked. */
  stopped: string[];
}

/**
 * Finds running actions whose worker stopped renewing its lease (it crashed, hung, or shut down
 * without finishing them), removes whatever container it left, and hands each back
 * (./hand-back-action.ts): queued again, stopped when a cancel was asked, or failed with the
 * reason "worker lost".
 */
export async function recoverLostActions(db: Db, runtime: ContainerRuntime, log: Logger): Promise<Recovery> {
  const lost = await db
    .select({ id: actions.id, claimedBy: actions.claimedBy, leaseExpiresAt: actions.leaseExpiresAt })
    .from(actions)
    .where(leaseExpired)
    .limit(100);
  const recovery: Recovery = { retried: [], failed: [], stopped: [] };
  for (const action of lost) {
    // The container goes first: once the action is pending again, a new container may carry the label.
    await runtime.removeByLabel(ACTION_LABEL, action.id);
    const reason = `worker lost: ${action.claimedBy ?? "the worker"} stopped renewing its lease (expired ${action.leaseExpiresAt?.toISOString() ?? "earlier"})`;
    const outcome = await db.transaction((tx) =>
      handBackAction(tx, action.id, leaseExpiredFor(action.id), { reason, stepReason: "worker lost" }),
    );
    if (outcome) {
      recovery[outcome].push(action.id);
      log.warn({ actionId: action.id, worker: action.claimedBy, outcome }, "recovered an action whose worker was lost");
    }
  }
  return recovery;
}
