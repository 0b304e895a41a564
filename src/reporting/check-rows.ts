import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { checkOutbox } from "./outbox.sql.js";

// Which outbox rows are whose: the one place that says it for the reporter and for the writers.

/** Rows no send has finished with: neither sent nor given up. */
export const unsent = and(isNull(checkOutbox.sentAt), isNull(checkOutbox.gaveUpAt)) as SQL;

/**
 * The rows of one check in `table` (the outbox, or an alias of it): an action's, or the run's
 * summary rows (`actionId` null).
 */
export function rowsOfCheck(table: { runId: AnyPgColumn; actionId: AnyPgColumn }, check: { actionId: string } | { runId: string; actionId: null }): SQL {
  return check.actionId !== null ? eq(table.actionId, check.actionId) : (and(eq(table.runId, check.runId), isNull(table.actionId)) as SQL);
}
