import { and, asc, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { webhookDeliveries } from "./deliveries.sql.js";

export type StoredDelivery = typeof webhookDeliveries.$inferSelect;

export interface IncomingDelivery {
  id: string;
  name: string;
  /** As GitHub sent it; nothing in it is trusted to be well-formed. */
  payload: { action?: unknown; installation?: { id?: unknown } } & Record<string, unknown>;
}

function wellFormedId(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** Stores a webhook as received; false when this delivery was stored before (a redelivery). */
export async function recordDelivery(db: Db, delivery: IncomingDelivery): Promise<boolean> {
  const inserted = await db
    .insert(webhookDeliveries)
    .values({
      id: delivery.id,
      name: delivery.name,
      // Only what the payload must hold to be routed is taken from it, and only when well-formed.
      action: typeof delivery.payload.action === "string" ? delivery.payload.action : null,
      installationId: wellFormedId(delivery.payload.installation?.id),
      payload: delivery.payload,
    })
    .onConflictDoNothing({ target: webhookDeliveries.id })
    .returning({ id: webhookDeliveries.id });
  return inserted.length > 0;
}

/**
 * Takes the oldest due delivery under a lease. A handler that dies mid-way leaves the lease to
 * expire, and the delivery is taken again; SKIP LOCKED keeps replicas from taking the same one.
 */
export async function claimDelivery(db: Db, workerId: string, leaseMs: number): Promise<StoredDelivery | null> {
  return db.transaction(async (tx) => {
    const [due] = await tx
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.status, "pending"),
          lte(webhookDeliveries.notBefore, sql`now()`),
          or(isNull(webhookDeliveries.leaseExpiresAt), lt(webhookDeliveries.leaseExpiresAt, sql`now()`)),
        ),
      )
      .orderBy(asc(webhookDeliveries.receivedAt))
      .limit(1)
      .for("update", { skipLocked: true });
    if (!due) return null;
    const [claimed] = await tx
      .update(webhookDeliveries)
      .set({
        claimedBy: workerId,
        leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
        attempts: sql`${webhookDeliveries.attempts} + 1`,
      })
      .where(eq(webhookDeliveries.id, due.id))
      .returning();
    return claimed ?? null;
  });
}

function heldBy(delivery: StoredDelivery, workerId: string) {
  return and(
    eq(webhookDeliveries.id, delivery.id),
    eq(webhookDeliveries.claimedBy, workerId),
    eq(webhookDeliveries.attempts, delivery.attempts),
  );
}

/** Extends the lease of a delivery still being handled, so no other replica takes it meanwhile. */
export async function renewDeliveryLease(db: Db, delivery: StoredDelivery, workerId: string, leaseMs: number): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where(heldBy(delivery, workerId));
}

export async function markHandled(db: Db, delivery: StoredDelivery, workerId: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "done", handledAt: sql`now()`, claimedBy: null, leaseExpiresAt: null, lastError: null })
    .where(heldBy(delivery, workerId));
}

/** Schedules another attempt after `retryInMs`, or gives up (`retryInMs` null) keeping the error. */
export async function markFailed(
  db: Db,
  delivery: StoredDelivery,
  workerId: string,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set(
      retryInMs === null
        ? { status: "failed", handledAt: sql`now()`, claimedBy: null, leaseExpiresAt: null, lastError: error }
        : {
            claimedBy: null,
            leaseExpiresAt: null,
            lastError: error,
            notBefore: sql`now() + ${`${retryInMs} milliseconds`}::interval`,
          },
    )
    .where(heldBy(delivery, workerId));
}

/** Forgets deliveries handled long ago; redeliveries older than that are caught by the runs' own key. */
export async function pruneDeliveries(db: Db, olderThanMs: number): Promise<number> {
  const removed = await db
    .delete(webhookDeliveries)
    .where(lt(webhookDeliveries.handledAt, sql`now() - ${`${olderThanMs} milliseconds`}::interval`))
    .returning({ id: webhookDeliveries.id });
  return removed.length;
}
