import { and, asc, eq, getTableName, inArray, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { webhookDeliveries } from "./deliveries.sql.js";
import { deliveryRow, type DeliveryRow, type IncomingDelivery } from "./delivery-row.js";
import { fromNow } from "../db/interval-sql.js";

export type StoredDelivery = typeof webhookDeliveries.$inferSelect;

export type { IncomingDelivery };

/** What node-postgres' pool and PGlite both answer to: a statement with its parameters, and `{ rows }`. */
interface Driver {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The connection (pool) under drizzle: node-postgres and PGlite both keep it as `$client`. */
function driverOf(db: Db): Driver {
  return (db as unknown as { $client: Driver }).$client;
}

// The columns an insert writes, in the order `storeDeliveryRows` gives each row's values.
const insertedColumns = [webhookDeliveries.id, webhookDeliveries.name, webhookDeliveries.action, webhookDeliveries.payload];
const COLUMNS = insertedColumns.length;
const insertTexts = new Map<number, string>();

/** The insert of `rows` deliveries, written once for each number of rows. */
function insertText(rows: number): string {
  let text = insertTexts.get(rows);
  if (text === undefined) {
    const t = webhookDeliveries;
    const columns = insertedColumns.map((c) => `"${c.name}"`).join(", ");
    const values = Array.from({ length: rows }, (_, row) => {
      const first = row * COLUMNS + 1;
      return `(${Array.from({ length: COLUMNS }, (_, column) => `$${first + column}`).join(", ")})`;
    });
    text = `insert into "${getTableName(t)}" (${columns}) values ${values.join(", ")} on conflict ("${t.id.name}") do nothing returning "${t.id.name}"`;
    insertTexts.set(rows, text);
  }
  return text;
}

/**
 * Stores deliveries, in one statement; for each, in order, whether it was stored now (false: it
 * was stored before, or earlier in the same list — a redelivery).
 *
 * The statement goes to the driver as text and parameters, written once for each number of rows:
 * the insert builder lists every column of the table for every row, and even drizzle's `sql`
 * template rebuilds the statement for each batch, which under load costs the endpoint more than
 * the rest of its own work on a delivery.
 */
export async function storeDeliveryRows(db: Db, rows: readonly DeliveryRow[]): Promise<boolean[]> {
  if (rows.length === 0) return [];
  const first = new Map<string, DeliveryRow>();
  for (const row of rows) if (!first.has(row.id)) first.set(row.id, row);
  const params: unknown[] = [];
  for (const row of first.values()) params.push(row.id, row.name, row.action, row.json);
  const result = await driverOf(db).query(insertText(first.size), params);
  const inserted = new Set((result.rows as Array<{ id: string }>).map((row) => row.id));
  const seen = new Set<string>();
  return rows.map((row) => {
    const storedNow = inserted.has(row.id) && !seen.has(row.id);
    seen.add(row.id);
    return storedNow;
  });
}

/** Stores webhooks as received, in one statement; for each, in order, whether it was stored now (see `storeDeliveryRows`). */
export function recordDeliveries(db: Db, deliveries: readonly IncomingDelivery[]): Promise<boolean[]> {
  return storeDeliveryRows(db, deliveries.map(deliveryRow));
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
      leaseExpiresAt: fromNow(leaseMs),
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
    .set({ leaseExpiresAt: fromNow(leaseMs) })
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
            notBefore: fromNow(retryInMs),
          },
    )
    .where(heldBy([delivery], workerId));
}

/** Forgets deliveries handled long ago; redeliveries older than that are caught by the runs' own key. */
export async function pruneDeliveries(db: Db, olderThanMs: number): Promise<number> {
  const removed = await db
    .delete(webhookDeliveries)
    .where(lt(webhookDeliveries.handledAt, fromNow(-olderThanMs)))
    .returning({ id: webhookDeliveries.id });
  return removed.length;
}
