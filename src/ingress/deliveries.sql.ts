import { index, integer, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

export const deliveryStatus = pgEnum("delivery_status", ["pending", "done", "failed"]);

/**
 * Webhooks as received, before any handling. Recording one is all the webhook endpoint does, so
 * GitHub gets its answer at once, a delivery seen twice is stored once, and one that could not be
 * handled (GitHub down, a crash) is retried from here instead of being lost.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    /** `X-GitHub-Delivery`. */
    id: text("id").primaryKey(),
    /** `X-GitHub-Event`, e.g. `issue_comment`. */
    name: text("name").notNull(),
    action: text("action"),
    /**
     * The payload's JSON as received (the signed body). `text`: nothing queries inside it, and
     * the endpoint reads no more of it than its `action`, so PostgreSQL checking it as `json`
     * would be a quarter of its work for a delivery (`jsonb` twice that, and it refuses some
     * JSON GitHub may send, such as `\u0000` in a string). Stored uncompressed (`SET STORAGE
     * EXTERNAL`, migrations 0006 and 0007, which this schema cannot express): compressing a
     * payload costs PostgreSQL about as much as the rest of the delivery's insert.
     */
    payload: text("payload").notNull(),
    status: deliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    claimedBy: text("claimed_by"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    notBefore: timestamp("not_before", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    handledAt: timestamp("handled_at", { withTimezone: true }),
  },
  (t) => [
    index("webhook_deliveries_due").on(t.notBefore).where(sql`status = 'pending'`),
    index("webhook_deliveries_handled").on(t.handledAt),
  ],
);
