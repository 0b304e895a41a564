import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { checkOutbox } from "./outbox.sql.js";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Whether a row of `phase` for this check is still waiting to be sent. The reporter sends the
 * state it reads when it sends, so such a row already covers a new change, and a check changing
 * often adds one row rather than one per change. Only a row no send has begun for counts: one
 * being sent right now may have read the state before this change. The row found is locked until
 * the caller's change commits, so a reporter cannot claim it and read the state before it.
 */
export async function hasWaitingRow(tx: Tx, check: { runId: string; actionId: string | null }, phase: "queued" | "in_progress" | "completed"): Promise<boolean> {
  const waiting = await tx
    .select({ id: checkOutbox.id })
    .from(checkOutbox)
    .where(
      and(
        check.actionId === null ? and(eq(checkOutbox.runId, check.runId), isNull(checkOutbox.actionId)) : eq(checkOutbox.actionId, check.actionId),
        eq(checkOutbox.phase, phase),
        isNull(checkOutbox.sentAt),
        isNull(checkOutbox.gaveUpAt),
        sql`${checkOutbox.attempts} = 0`,
      ),
    )
    .limit(1)
    .for("update");
  return waiting.length > 0;
}
