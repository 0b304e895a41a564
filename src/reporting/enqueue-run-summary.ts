import type { Tx } from "../db/client.js";
import type { RunStatus } from "../runs/statuses.js";
import { runCheckStatus } from "./check-status.js";
import { enqueueUnlessWaiting } from "./waiting-row.js";


/**
 * Notes in the outbox that the run's summary check should show its current state: a run of 1,000
 * actions adds a handful of rows, not one per action.
 */
export async function enqueueRunSummary(tx: Tx, runId: string, status: RunStatus): Promise<void> {
  await enqueueUnlessWaiting(tx, { runId, actionId: null }, runCheckStatus(status).status);
}
