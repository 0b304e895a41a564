import { bigserial, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { actions, runs } from "../runs/runs.sql.js";

export const checkPhase = pgEnum("check_phase", ["queued", "in_progress", "completed"]);

/**
 * State changes waiting to be shown on GitHub, written in the same transaction as the change.
 * The reporter sends them in order; the body is rendered from the current state when sent.
 */
export const checkOutbox = pgTable(
  "check_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    actionId: uuid("action_id").references(() => actions.id, { onDelete: "cascade" }),
    phase: checkPhase("phase").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    notBefore: timestamp("not_before", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [index("check_outbox_unsent").on(t.id).where(sql`sent_at is null`)],
);
