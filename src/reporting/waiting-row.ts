import { sql, type SQL } from "drizzle-orm";
import type { Tx } from "../db/client.js";
import { checkOutbox } from "./outbox.sql.js";
import { rowsOfCheck, unsent } from "./check-rows.js";
import type { CheckPhase } from "./coalescing.js";


/**
 * Notes in the outbox that a check should show its current state (`actionId` null: the run's
 * summary check), unless a row of `phase` for it is still waiting to be sent. The reporter sends
 * the state it reads when it sends, so such a row already covers this change, and a check changing
 * often adds one row rather than one per change. Only a row no send has begun for counts: one
 * being sent right now may have read the state before this change. The waiting row is locked
 * until the caller's change commits, so a reporter cannot claim it and read the state before it;
 * should a reporter claim it first, the lock waits for that, the row no longer counts, and a new
 * one is added. One statement, however it turns out.
 */
export async function enqueueUnlessWaiting(tx: Tx, check: { runId: string; actionId: string | null }, phase: CheckPhase): Promise<void> {
  await tx.execute(sql`
    insert into ${checkOutbox} (run_id, action_id, phase)
    select ${check.runId}::uuid, ${check.actionId}::uuid, ${phase}::check_phase
    where ${noWaitingRow(check, phase)}`);
}

/**
 * The condition of enqueueUnlessWaiting, for a statement that enqueues its own row: no row of
 * `phase` for the check waits unsent with no send begun; the one found is locked.
 */
export function noWaitingRow(check: { actionId: string } | { runId: string; actionId: null }, phase: CheckPhase): SQL {
  return sql`not exists (
      select 1 from ${checkOutbox}
      where ${rowsOfCheck(checkOutbox, check)} and ${checkOutbox.phase} = ${phase} and ${unsent} and ${checkOutbox.attempts} = 0
      limit 1
      for update)`;
}
