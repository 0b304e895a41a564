import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../db/client.js";
import { retryWhileUnreachable } from "../db/retry-while-unreachable.js";
import { actions, actionSteps, runs } from "./runs.sql.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import { enqueueRunSummary } from "../reporting/enqueue-run-summary.js";
import { noWaitingRow } from "../reporting/waiting-row.js";
import { deriveRunStatus, type FinishedActionStatus } from "./statuses.js";

// Every status change is a conditional update: repeating one, or one that lost a race, changes
// nothing. Each change that GitHub should show writes an outbox row in the same transaction.
// A worker's changes wait out a database restart rather than fail the action: a transaction cut
// off by a lost session was rolled back, so trying it again is safe.


/**
 * Who holds a running action: a worker, for one attempt. A worker whose lease was taken from it
 * (it stalled and the action was recovered) no longer matches, so nothing it writes lands.
 */
export interface ActionClaim {
  actionId: string;
  workerId: string;
  attempt: number;
}

export function heldBy(claim: ActionClaim) {
  return and(
    eq(actions.id, claim.actionId),
    eq(actions.status, "running"),
    eq(actions.claimedBy, claim.workerId),
    eq(actions.attempts, claim.attempt),
  );
}

/**
 * Moves step `index` of the claim's action from `from` with `set`, and notes the check's change in
 * the outbox, unless a row waits to show it (../reporting/waiting-row.ts). One statement: the
 * action is locked first, so a recovery or a cancel ending it meanwhile waits, or wins and this
 * changes nothing. False when the claim no longer holds the action or the step was not `from`.
 */
async function moveStep(db: Db, claim: ActionClaim, index: number, from: "pending" | "running", set: SQL): Promise<boolean> {
  const { actionId } = claim;
  const result = (await db.execute(sql`
    with held as (
      select ${actions.runId} as run_id from ${actions} where ${heldBy(claim)} for update
    ), moved as (
      update ${actionSteps} set ${set}
      where ${actionSteps.actionId} = ${actionId} and ${actionSteps.index} = ${index} and ${actionSteps.status} = ${from}
        and exists (select 1 from held)
      returning 1
    ), noted as (
      insert into ${checkOutbox} (run_id, action_id, phase)
      select run_id, ${actionId}::uuid, 'in_progress' from held
      where exists (select 1 from moved) and ${noWaitingRow({ actionId }, "in_progress")}
    )
    select count(*)::int as moved from moved`)) as unknown as { rows: Array<{ moved: number | string }> };
  return Number(result.rows[0]?.moved ?? 0) > 0;
}

export async function startStep(db: Db, claim: ActionClaim, index: number): Promise<boolean> {
  return retryWhileUnreachable(() => moveStep(db, claim, index, "pending", sql`status = 'running', started_at = now()`));
}

export type StepEnd =
  | { status: "done"; exitCode: number }
  | { status: "failed"; exitCode: number | null; reason: string | null }
  | { status: "stopped"; reason: string };

export async function finishStep(db: Db, claim: ActionClaim, index: number, end: StepEnd): Promise<boolean> {
  const exitCode = "exitCode" in end ? end.exitCode : null;
  const reason = "reason" in end ? end.reason : null;
  const set = sql`status = ${end.status}::step_status, exit_code = ${exitCode}::integer, reason = ${reason}::text, finished_at = now()`;
  return retryWhileUnreachable(() => moveStep(db, claim, index, "running", set));
}

export interface ActionEnd {
  status: FinishedActionStatus;
  reason?: string | null;
  timedOut?: boolean;
}

/** Ends a running action held by `claim`; steps that never started are marked skipped. */
export async function finishAction(db: Db, claim: ActionClaim, end: ActionEnd): Promise<boolean> {
  return retryWhileUnreachable(() => db.transaction((tx) => endAction(tx, claim.actionId, heldBy(claim), end)));
}

/**
 * Ends a running action matching `guard`. A step still running is ended with `runningStep`
 * (stopped unless the caller knows better, e.g. failed when its worker was lost).
 */
export async function endAction(
  tx: Tx,
  actionId: string,
  guard: ReturnType<typeof and>,
  end: ActionEnd,
  runningStep: { status: "stopped" | "failed"; reason: string | null } = { status: "stopped", reason: null },
): Promise<boolean> {
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
    .where(guard)
    .returning({ runId: actions.runId });
  const row = updated[0];
  if (!row) return false;
  // In one statement: steps that never started are skipped, a running one ends as `runningStep`.
  const pending = sql`${actionSteps.status} = 'pending'`;
  await tx
    .update(actionSteps)
    .set({
      status: sql`case when ${pending} then 'skipped' else ${runningStep.status}::step_status end`,
      reason: sql`case when ${pending} then ${actionSteps.reason} else ${runningStep.reason} end`,
      finishedAt: sql`case when ${pending} then ${actionSteps.finishedAt} else now() end`,
    })
    .where(and(eq(actionSteps.actionId, actionId), inArray(actionSteps.status, ["pending", "running"])));
  await tx.insert(checkOutbox).values({ runId: row.runId, actionId, phase: "completed" });
  await refreshRunStatus(tx, row.runId);
  return true;
}

/** Recomputes a run's status from its actions (DESIGN.md §2). */
export async function refreshRunStatus(tx: Tx, runId: string): Promise<void> {
  // The run row is locked first, so two actions ending at once are counted one after the other:
  // otherwise each would read the other as still running and the run would stay "running".
  // NO KEY UPDATE, not UPDATE: the outbox rows inserted before hold the run's key-share lock
  // (their foreign key), which UPDATE would wait on in each of two such transactions: a deadlock.
  await tx.select({ id: runs.id }).from(runs).where(eq(runs.id, runId)).for("no key update");
  // Which statuses occur is all the run's status depends on: a few rows, however many actions.
  const rows = await tx.selectDistinct({ status: actions.status }).from(actions).where(eq(actions.runId, runId));
  const status = deriveRunStatus(rows.map((r) => r.status));
  const finished = status === "done" || status === "failed" || status === "stopped";
  await tx
    .update(runs)
    .set({ status, finishedAt: finished ? sql`coalesce(${runs.finishedAt}, now())` : null })
    .where(and(eq(runs.id, runId), sql`${runs.status} is distinct from ${status}`));
  // The summary check shows the counts, so every action change is one to show (coalesced there).
  await enqueueRunSummary(tx, runId, status);
}
