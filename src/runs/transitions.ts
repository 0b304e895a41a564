import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, actionSteps, runs } from "./runs.sql.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import { deriveRunStatus, type FinishedActionStatus } from "./statuses.js";

// Every status change is a conditional update: repeating one, or one that lost a race, changes
// nothing. Each change that GitHub should show writes an outbox row in the same transaction.

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export async function startStep(db: Db, actionId: string, index: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(actionSteps)
      .set({ status: "running", startedAt: sql`now()` })
      .where(and(eq(actionSteps.actionId, actionId), eq(actionSteps.index, index), eq(actionSteps.status, "pending")))
      .returning({ index: actionSteps.index });
    if (updated.length === 0) return false;
    await enqueueCheckUpdate(tx, actionId, "in_progress");
    return true;
  });
}

export type StepEnd =
  | { status: "done"; exitCode: number }
  | { status: "failed"; exitCode: number | null; reason: string | null }
  | { status: "stopped"; reason: string };

export async function finishStep(db: Db, actionId: string, index: number, end: StepEnd): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(actionSteps)
      .set({
        status: end.status,
        exitCode: "exitCode" in end ? end.exitCode : null,
        reason: "reason" in end ? end.reason : null,
        finishedAt: sql`now()`,
      })
      .where(and(eq(actionSteps.actionId, actionId), eq(actionSteps.index, index), eq(actionSteps.status, "running")))
      .returning({ index: actionSteps.index });
    if (updated.length === 0) return false;
    await enqueueCheckUpdate(tx, actionId, "in_progress");
    return true;
  });
}

export interface ActionEnd {
  status: FinishedActionStatus;
  reason?: string | null;
  timedOut?: boolean;
}

/** Ends a running action; steps that never started are marked skipped. */
export async function finishAction(db: Db, actionId: string, end: ActionEnd): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(actions)
      .set({
        status: end.status,
        reason: end.reason ?? null,
        timedOut: end.timedOut ?? false,
        finishedAt: sql`now()`,
        claimedBy: null,
        leaseExpiresAt: null,
      })
      .where(and(eq(actions.id, actionId), eq(actions.status, "running")))
      .returning({ runId: actions.runId });
    const row = updated[0];
    if (!row) return false;
    await tx
      .update(actionSteps)
      .set({ status: "skipped" })
      .where(and(eq(actionSteps.actionId, actionId), eq(actionSteps.status, "pending")));
    await tx
      .update(actionSteps)
      .set({ status: "stopped", finishedAt: sql`now()` })
      .where(and(eq(actionSteps.actionId, actionId), eq(actionSteps.status, "running")));
    await tx.insert(checkOutbox).values({ runId: row.runId, actionId, phase: "completed" });
    await refreshRunStatus(tx, row.runId);
    return true;
  });
}

/** Recomputes a run's status from its actions (DESIGN.md §2). */
export async function refreshRunStatus(tx: Tx, runId: string): Promise<void> {
  const rows = await tx.select({ status: actions.status }).from(actions).where(eq(actions.runId, runId));
  const status = deriveRunStatus(rows.map((r) => r.status));
  const finished = status === "done" || status === "failed" || status === "stopped";
  await tx
    .update(runs)
    .set({ status, finishedAt: finished ? sql`coalesce(${runs.finishedAt}, now())` : null })
    .where(and(eq(runs.id, runId), sql`${runs.status} is distinct from ${status}`));
}

export async function enqueueCheckUpdate(tx: Tx, actionId: string, phase: "in_progress" | "completed"): Promise<void> {
  const [row] = await tx.select({ runId: actions.runId }).from(actions).where(eq(actions.id, actionId));
  if (row) await tx.insert(checkOutbox).values({ runId: row.runId, actionId, phase });
}

