import { and, desc, eq, getTableColumns, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, runs } from "../runs/runs.sql.js";
import type { ActionStatus } from "../runs/statuses.js";
import { RUNS_PER_PAGE, type RunFilters } from "./run-filters.js";

export type RunRow = typeof runs.$inferSelect;
export type ActionCounts = Record<ActionStatus, number> & { total: number };

export interface RunListItem {
  run: Omit<RunRow, "definition" | "definitionSource">;
  counts: ActionCounts;
}

export function emptyCounts(): ActionCounts {
  return { total: 0, pending: 0, running: 0, done: 0, failed: 0, stopped: 0 };
}

/** Runs the person can read, newest first, one page of them and whether there are older ones. */
export async function loadRuns(
  db: Db,
  filters: RunFilters,
  readable: readonly string[],
): Promise<{ items: RunListItem[]; hasMore: boolean }> {
  if (readable.length === 0) return { items: [], hasMore: false };
  const where: SQL[] = [inArray(sql`lower(${runs.repository})`, [...readable])];
  if (filters.automation) where.push(eq(runs.automation, filters.automation));
  if (filters.repository) where.push(sql`lower(${runs.repository}) = ${filters.repository.toLowerCase()}`);
  if (filters.status) where.push(eq(runs.status, filters.status));
  if (filters.trigger) where.push(sql`${runs.trigger}->>'kind' = ${filters.trigger}`);
  const { definition: _definition, definitionSource: _source, ...columns } = getTableColumns(runs);
  const rows = await db
    .select(columns)
    .from(runs)
    .where(and(...where))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(RUNS_PER_PAGE + 1)
    .offset((filters.page - 1) * RUNS_PER_PAGE);
  const page = rows.slice(0, RUNS_PER_PAGE);
  const counts = await countActions(db, page.map((r) => r.id));
  return {
    items: page.map((run) => ({ run, counts: counts.get(run.id) ?? emptyCounts() })),
    hasMore: rows.length > RUNS_PER_PAGE,
  };
}

/** How many actions of each run are in each status. */
export async function countActions(db: Db, runIds: readonly string[]): Promise<Map<string, ActionCounts>> {
  const counts = new Map<string, ActionCounts>();
  if (runIds.length === 0) return counts;
  const rows = await db
    .select({ runId: actions.runId, status: actions.status, n: sql<number>`count(*)::int` })
    .from(actions)
    .where(inArray(actions.runId, [...runIds]))
    .groupBy(actions.runId, actions.status);
  for (const row of rows) {
    const c = counts.get(row.runId) ?? emptyCounts();
    c[row.status] += Number(row.n);
    c.total += Number(row.n);
    counts.set(row.runId, c);
  }
  return counts;
}
