import { bigserial, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { actions, runs } from "../runs/runs.sql.js";

export const checkPhase = pgEnum("check_phase", ["queued", "in_progress", "completed"]);

/**
 * State changes waiting to be shown on GitHub, written in the same transaction as the change.
 * A row with an action is that action's check run; a row without one is the run's summary check.
 * The reporter sends the current state when a row is due; rows only say that, and how urgently.
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
    /** Sends begun for this row. Counted before the request, so a crash mid-create is known. */
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    notBefore: timestamp("not_before", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** Set when GitHub refused the row for good (e.g. 422, 404); `last_error` says why. */
    gaveUpAt: timestamp("gave_up_at", { withTimezone: true }),
  },
  (t) => [
    index("check_outbox_unsent").on(t.id).where(sql`sent_at is null`),
    // The reporter reads one check's rows at a time: an action's, or a run's summary rows.
    index("check_outbox_action").on(t.actionId, t.id),
    index("check_outbox_run_summary").on(t.runId, t.id).where(sql`action_id is null`),
  ],
);
