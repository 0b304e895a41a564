import { and, desc, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { runs } from "../runs/runs.sql.js";
import { countActions, emptyCounts, type RunListItem } from "./load-runs.js";

export const HISTORY_LIMIT = 200;

/** The latest runs of one automation (by its definition's repository and name) the person can read. */
export async function loadHistory(
  db: Db,
  definitionRepository: string,
  automation: string,
  readable: readonly string[],
): Promise<RunListItem[]> {
  if (readable.length === 0) return [];
  const { definition: _definition, definitionSource: _source, ...columns } = getTableColumns(runs);
  const rows = await db
    .select(columns)
    .from(runs)
    .where(
      and(eq(runs.definitionRepository, definitionRepository), eq(runs.automation, automation), inArray(sql`lower(${runs.repository})`, [...readable])),
    )
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(HISTORY_LIMIT);
  const counts = await countActions(db, rows.map((r) => r.id));
  return rows.map((run) => ({ run, counts: counts.get(run.id) ?? emptyCounts() }));
}
