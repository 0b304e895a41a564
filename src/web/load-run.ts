import { and, asc, eq, gt, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { logChunks } from "../execution/logs.sql.js";
import { actions, actionSteps, runs } from "../runs/runs.sql.js";
import { countActions, emptyCounts, type ActionCounts, type RunRow } from "./load-runs.js";

export type ActionRow = typeof actions.$inferSelect;
export type StepRow = typeof actionSteps.$inferSelect;
export type LogChunkRow = typeof logChunks.$inferSelect;

export interface RunDetail {
  run: RunRow;
  actions: ActionRow[];
  counts: ActionCounts;
}

export async function loadRun(db: Db, runId: string): Promise<RunDetail | null> {
  if (!isUuid(runId)) return null;
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  if (!run) return null;
  const rows = await db.select().from(actions).where(eq(actions.runId, runId)).orderBy(asc(actions.position));
  const counts = (await countActions(db, [runId])).get(runId) ?? emptyCounts();
  return { run, actions: rows, counts };
}

/** The actions of several runs, for comparing them. */
export async function loadActionsOfRuns(db: Db, runIds: readonly string[]): Promise<ActionRow[]> {
  if (runIds.length === 0) return [];
  return db.select().from(actions).where(inArray(actions.runId, [...runIds])).orderBy(asc(actions.position));
}

export interface ActionDetail {
  action: ActionRow;
  run: RunRow;
  steps: StepRow[];
}

export async function loadAction(db: Db, actionId: string): Promise<ActionDetail | null> {
  if (!isUuid(actionId)) return null;
  const [row] = await db.select({ action: actions, run: runs }).from(actions).innerJoin(runs, eq(runs.id, actions.runId)).where(eq(actions.id, actionId));
  if (!row) return null;
  const steps = await db.select().from(actionSteps).where(eq(actionSteps.actionId, actionId)).orderBy(asc(actionSteps.index));
  return { ...row, steps };
}

/** An action's log after chunk `afterId`, oldest first, at most `limit` chunks. */
export async function loadLogChunks(db: Db, actionId: string, afterId = 0, limit = 5_000): Promise<LogChunkRow[]> {
  return db
    .select()
    .from(logChunks)
    .where(and(eq(logChunks.actionId, actionId), gt(logChunks.id, afterId)))
    .orderBy(asc(logChunks.id))
    .limit(limit);
}

/** Ids in a URL are checked before they reach the database, so a typo is a 404 and not an error. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
