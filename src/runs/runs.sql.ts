import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  type AnyPgColumn,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { actionStatuses, runStatuses, stepStatuses } from "./statuses.js";
import type { AutomationDefinition } from "../automations/definition-schema.js";
import type { RunTrigger } from "./run-trigger.js";

/** A target the run did not include, and why (no write permission, not matching, …). */
export interface SkippedTarget {
  target: string;
  reason: string;
}

export const runStatus = pgEnum("run_status", runStatuses);
export const actionStatus = pgEnum("action_status", actionStatuses);
export const stepStatus = pgEnum("step_status", stepStatuses);

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    automation: text("automation").notNull(),
    installationId: bigint("installation_id", { mode: "number" }).notNull(),
    /** The repository where the run was triggered, `owner/repo`. */
    repository: text("repository").notNull(),
    repositoryId: bigint("repository_id", { mode: "number" }).notNull(),
    /** The commit the checks are reported on. */
    headSha: text("head_sha").notNull(),
    trigger: jsonb("trigger").$type<RunTrigger>().notNull(),
    /** Webhook delivery and the command's position in it: the same delivery never makes two runs. */
    deliveryId: text("delivery_id").notNull(),
    commandIndex: integer("command_index").notNull().default(0),
    // The exact configuration the run executed with.
    definition: jsonb("definition").$type<AutomationDefinition>().notNull(),
    definitionSource: text("definition_source").notNull(),
    definitionPath: text("definition_path").notNull(),
    definitionSha: text("definition_sha").notNull(),
    definitionRepository: text("definition_repository").notNull(),
    status: runStatus("status").notNull().default("pending"),
    /** The run this one re-runs or retries (Re-run button, retry-failed). */
    rerunOf: uuid("rerun_of").references((): AnyPgColumn => runs.id, { onDelete: "set null" }),
    /** Targets left out of the run, shown in replies, the summary check and the pages. */
    skippedTargets: jsonb("skipped_targets").$type<SkippedTarget[]>().notNull().default([]),
    /** Secret name → keyed hash of its value when the run started; never the value. */
    secretFingerprints: jsonb("secret_fingerprints").$type<Record<string, string>>().notNull().default({}),
    /** The run's summary check run, once created. */
    summaryCheckRunId: bigint("summary_check_run_id", { mode: "number" }),
    cancelledBy: text("cancelled_by"),
    createdAt: createdAt(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("runs_delivery_command").on(t.deliveryId, t.commandIndex),
    index("runs_automation_created").on(t.automation, t.createdAt),
  ],
);

export const actions = pgTable(
  "actions",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    repository: text("repository").notNull(),
    repositoryId: bigint("repository_id", { mode: "number" }).notNull(),
    cloneUrl: text("clone_url").notNull(),
    /** What is cloned: a commit SHA or a branch. */
    ref: text("ref").notNull(),
    project: text("project"),
    status: actionStatus("status").notNull().default("pending"),
    reason: text("reason"),
    timedOut: boolean("timed_out").notNull().default(false),
    checkRunId: bigint("check_run_id", { mode: "number" }),
    pullRequestUrl: text("pull_request_url"),
    pullRequestNumber: integer("pull_request_number"),
    /** The agent session as JSON lines, masked. */
    session: text("session"),
    /** The last error line of a failed action's log, for grouping failures across targets. */
    errorLine: text("error_line"),
    /** Set when a cancel reaches a running action; its worker kills the container. */
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    claimedBy: text("claimed_by"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("actions_run").on(t.runId, t.position),
    index("actions_pending").on(t.createdAt).where(sql`status = 'pending'`),
    // Concurrency limits count running actions per run and installation at every claim.
    index("actions_running").on(t.runId).where(sql`status = 'running'`),
  ],
);

export const actionSteps = pgTable(
  "action_steps",
  {
    actionId: uuid("action_id")
      .notNull()
      .references(() => actions.id, { onDelete: "cascade" }),
    index: integer("index").notNull(),
    name: text("name").notNull(),
    status: stepStatus("status").notNull().default("pending"),
    exitCode: integer("exit_code"),
    reason: text("reason"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.actionId, t.index] })],
);
