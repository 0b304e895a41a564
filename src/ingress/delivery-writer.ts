import type { Db } from "../db/client.js";
import { storeDeliveryRows } from "./delivery-store.js";
import type { DeliveryRow } from "./delivery-row.js";
import { groupCommit } from "./group-commit.js";

/** How busy the webhook endpoint of this process is; the delivery processor gives way during a burst. */
export interface IngressLoad {
  /** When the endpoint last had a burst of deliveries to store at once (`performance.now()`), or -Infinity. */
  readonly lastBurstAt: number;
}

export interface DeliveryWriter extends IngressLoad {
  /**
   * Resolves once the delivery is committed: true when stored now, false when it was stored
   * before (a redelivery). Rejects when the database could not store it.
   */
  record(row: DeliveryRow): Promise<boolean>;
}

/** Deliveries in one insert at most: more saves little, and keeps a statement from growing without bound. */
const MAX_BATCH = 100;
/**
 * Deliveries being stored at once from which the endpoint counts as taking a burst: more than
 * arrive within one commit (a few milliseconds) when GitHub sends at an ordinary pace.
 */
const BURST = 4;

/** The endpoint when it takes nothing: whoever is given no endpoint never gives way. */
export const IDLE_INGRESS: IngressLoad = { lastBurstAt: Number.NEGATIVE_INFINITY };

/**
 * The endpoint's writer, one per process, so that all the requests arriving together share
 * inserts and commits (group commit): a delivery that arrives while others are being written
 * waits for the next insert, and each request is answered once its own insert has committed.
 */
export function databaseDeliveryWriter(db: Db): DeliveryWriter {
  return createDeliveryWriter((rows) => storeDeliveryRows(db, rows));
}

export function createDeliveryWriter(store: (rows: readonly DeliveryRow[]) => Promise<boolean[]>): DeliveryWriter {
  // Two inserts at once: one commits (waiting on the disk) while the next one fills.
  const commits = groupCommit(store, { maxBatch: MAX_BATCH, maxInFlight: 2 });
  let lastBurstAt = Number.NEGATIVE_INFINITY;
  return {
    record(row) {
      const stored = commits.add(row);
      if (commits.pending >= BURST) lastBurstAt = performance.now();
      return stored;
    },
    get lastBurstAt() {
      return lastBurstAt;
    },
  };
}
