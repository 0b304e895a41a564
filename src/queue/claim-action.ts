import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, runs } from "../runs/runs.sql.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import { refreshRunStatus } from "../runs/transitions.js";

export type ClaimedAction = typeof actions.$inferSelect & { run: typeof runs.$inferSelect };

/**
 * Takes the oldest pending action for this worker. SKIP LOCKED lets any number of workers and
 * replicas claim at once without ever taking the same action twice.
 */
export async function claimNextAction(db: Db, workerId: string, leaseMs: number): Promise<ClaimedAction | null> {
  return db.transaction(async (tx) => {
    const [candidate] = await tx
      .select({ id: actions.id })
      .from(actions)
      .where(eq(actions.status, "pending"))
      .orderBy(asc(actions.createdAt), asc(actions.position))
      .limit(1)
      .for("update", { skipLocked: true });
    if (!candidate) return null;
    const [claimed] = await tx
      .update(actions)
      .set({
        status: "running",
        claimedBy: workerId,
        leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
        startedAt: sql`now()`,
        attempts: sql`${actions.attempts} + 1`,
      })
      .where(and(eq(actions.id, candidate.id), eq(actions.status, "pending")))
      .returning();
    if (!claimed) return null;
    await tx.insert(checkOutbox).values({ runId: claimed.runId, actionId: claimed.id, phase: "in_progress" });
    await refreshRunStatus(tx, claimed.runId);
    const [run] = await tx.select().from(runs).where(eq(runs.id, claimed.runId));
    if (!run) throw new Error(`action ${claimed.id} belongs to run ${claimed.runId}, which does not exist`);
    return { ...claimed, run };
  });
}

/** Extends the lease of an action this worker still holds; false when it no longer does. */
export async function renewLease(db: Db, actionId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(actions)
    .set({ leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where(and(eq(actions.id, actionId), eq(actions.claimedBy, workerId), eq(actions.status, "running")))
    .returning({ id: actions.id });
  return rows.length > 0;
}
