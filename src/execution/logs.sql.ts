import { bigserial, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { actions } from "../runs/runs.sql.js";

/** An action's output as it arrives, already masked. Step -1 is the app's own lines (clone, container). */
export const logChunks = pgTable(
  "log_chunks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actionId: uuid("action_id")
      .notNull()
      .references(() => actions.id, { onDelete: "cascade" }),
    stepIndex: integer("step_index").notNull(),
    stream: text("stream").$type<"stdout" | "stderr" | "system">().notNull(),
    content: text("content").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("log_chunks_action").on(t.actionId, t.id)],
);
