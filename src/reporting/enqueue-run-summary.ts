import type { Db } from "../db/client.js";
import type { RunStatus } from "../runs/statuses.js";
import { runCheckStatus } from "./check-status.js";
import { checkOutbox } from "./outbox.sql.js";
import { hasWaitingRow } from "./waiting-row.js";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Notes in the outbox that the run's summary check should show its current state: a run of 1,000
 * actions adds a handful of rows, not one per action.
 */
export async function enqueueRunSummary(tx: Tx, runId: string, status: RunStatus): Promise<void> {
  const phase = runCheckStatus(status).status;
  if (!(await hasWaitingRow(tx, { runId, actionId: null }, phase))) await tx.insert(checkOutbox).values({ runId, actionId: null, phase });
}
