import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import type { RunStatus } from "../runs/statuses.js";
import { runCheckStatus } from "./check-status.js";
import { checkOutbox } from "./outbox.sql.js";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Notes in the outbox that the run's summary check should show its current state. A row of the
 * same phase still waiting already says so: a run of 1,000 actions adds a handful of rows, not
 * one per action.
 */
export async function enqueueRunSummary(tx: Tx, runId: string, status: RunStatus): Promise<void> {
  const phase = runCheckStatus(status).status;
  const waiting = await tx
    .select({ id: checkOutbox.id })
    .from(checkOutbox)
    .where(
      and(
        eq(checkOutbox.runId, runId),
        isNull(checkOutbox.actionId),
        eq(checkOutbox.phase, phase),
        isNull(checkOutbox.sentAt),
        isNull(checkOutbox.gaveUpAt),
        // A row being sent right now may already have read the state before this change.
        sql`${checkOutbox.attempts} = 0`,
      ),
    )
    .limit(1)
    // Held until this change commits, so a reporter cannot claim the row and read the state before it.
    .for("update");
  if (waiting.length === 0) await tx.insert(checkOutbox).values({ runId, actionId: null, phase });
}
