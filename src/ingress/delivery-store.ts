import { and, asc, eq, inArray, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
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

/** The rows of a raw statement's result: node-postgres and PGlite both answer `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/**
 * Stores webhooks as received, in one statement; for each, in order, whether it was stored now
 * (false: it was stored before, or earlier in the same list — a redelivery).
 *
 * Written as SQL rather than with the insert builder: the builder lists every column of the
 * table for every row, which costs more than the rest of the webhook's handling in the endpoint.
 */
export async function recordDeliveries(db: Db, deliveries: readonly IncomingDelivery[]): Promise<boolean[]> {
  if (deliveries.length === 0) return [];
  const t = webhookDeliveries;
  const first = new Map<string, IncomingDelivery>();
  for (const delivery of deliveries) if (!first.has(delivery.id)) first.set(delivery.id, delivery);
  const rows = [...first.values()].map((delivery) => {
    // Only what the payload must hold to be routed is taken from it, and only when well-formed.
    const action = typeof delivery.payload.action === "string" ? delivery.payload.action : null;
    const installationId = wellFormedId(delivery.payload.installation?.id);
    return sql`(${delivery.id}, ${delivery.name}, ${action}, ${installationId}, ${JSON.stringify(delivery.payload)})`;
  });
  const columns = [t.id, t.name, t.action, t.installationId, t.payload].map((c) => sql.identifier(c.name));
  const result = await db.execute(
    sql`insert into ${t} (${sql.join(columns, sql`, `)}) values ${sql.join(rows, sql`, `)}
        on conflict (${sql.identifier(t.id.name)}) do nothing returning ${sql.identifier(t.id.name)}`,
  );
  const inserted = new Set(rowsOf<{ id: string }>(result).map((row) => row.id));
  const seen = new Set<string>();
  return deliveries.map((delivery) => {
    const storedNow = inserted.has(delivery.id) && !seen.has(delivery.id);
    seen.add(delivery.id);
    return storedNow;
  });
}

/** Stores one webhook as received; false when this delivery was stored before (a redelivery). */
export async function recordDelivery(db: Db, delivery: IncomingDelivery): Promise<boolean> {
  const [storedNow] = await recordDeliveries(db, [delivery]);
  return storedNow ?? false;
}

/**
 * Takes up to `limit` of the oldest due deliveries under a lease, in one statement. A handler
 * that dies mid-way leaves the lease to expire, and the delivery is taken again; SKIP LOCKED
 * keeps replicas from taking the same one.
 */
export async function claimDeliveries(db: Db, workerId: string, leaseMs: number, limit: number): Promise<StoredDelivery[]> {
  const t = webhookDeliveries;
  const due = db
    .select({ id: t.id })
    .from(t)
    .where(
      and(
        eq(t.status, "pending"),
        lte(t.notBefore, sql`now()`),
        or(isNull(t.leaseExpiresAt), lt(t.leaseExpiresAt, sql`now()`)),
      ),
    )
    .orderBy(asc(t.receivedAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(t)
    .set({
      claimedBy: workerId,
      leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
      attempts: sql`${t.attempts} + 1`,
    })
    .where(inArray(t.id, due))
    .returning();
  return claimed.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}

/** The deliveries still held under this claim: by this worker, and not taken again since (same attempt). */
function heldBy(deliveries: readonly StoredDelivery[], workerId: string): SQL | undefined {
  const t = webhookDeliveries;
  const claims = deliveries.map((d) => sql`(${d.id}, ${d.attempts}::integer)`);
  return and(eq(t.claimedBy, workerId), sql`(${t.id}, ${t.attempts}) in (${sql.join(claims, sql`, `)})`);
}

/** Extends the lease of deliveries still being handled, so no other replica takes them meanwhile. */
export async function renewDeliveryLeases(db: Db, deliveries: readonly StoredDelivery[], workerId: string, leaseMs: number): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .update(webhookDeliveries)
    .set({ leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where(heldBy(deliveries, workerId));
}

export async function markHandled(db: Db, deliveries: readonly StoredDelivery[], workerId: string): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .update(webhookDeliveries)
    .set({ status: "done", handledAt: sql`now()`, claimedBy: null, leaseExpiresAt: null, lastError: null })
    .where(heldBy(deliveries, workerId));
}

/** Gives back deliveries claimed but not started (the processor is stopping), so any replica takes them at once. */
export async function releaseDeliveries(db: Db, deliveries: readonly StoredDelivery[], workerId: string): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .update(webhookDeliveries)
    .set({ claimedBy: null, leaseExpiresAt: null, attempts: sql`${webhookDeliveries.attempts} - 1` })
    .where(heldBy(deliveries, workerId));
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
    .where(heldBy([delivery], workerId));
}

/** Forgets deliveries handled long ago; redeliveries older than that are caught by the runs' own key. */
export async function pruneDeliveries(db: Db, olderThanMs: number): Promise<number> {
  const removed = await db
    .delete(webhookDeliveries)
    .where(lt(webhookDeliveries.handledAt, sql`now() - ${`${olderThanMs} milliseconds`}::interval`))
    .returning({ id: webhookDeliveries.id });
  return removed.length;
}
