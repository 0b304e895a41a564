import { eq } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";
import { webhookDeliveries } from "../../src/ingress/deliveries.sql.js";
import { waitFor } from "./wait-for.js";

/**
 * Resolves once a stored delivery was handled, given up, or failed its first attempt (its retry
 * is scheduled). A delivery the app did not store (an event it does not act on) resolves at once.
 */
export async function deliveryHandled(db: Db, deliveryId: string): Promise<void> {
  await waitFor(`webhook delivery ${deliveryId} to be handled`, async () => {
    const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    if (!row) return true;
    return row.status !== "pending" || (row.claimedBy === null && row.lastError !== null);
  });
}
