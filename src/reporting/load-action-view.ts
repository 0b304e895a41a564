import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, actionSteps, runs } from "../runs/runs.sql.js";
import { logChunks } from "../execution/logs.sql.js";
import type { ActionView } from "../runs/action-view.js";
import { checkRunSummaryMaxChars } from "./github-limits.js";

export interface ActionReportState {
  view: ActionView;
  installationId: number;
  /** `owner/repo` the check runs are on (where the run was triggered). */
  checkRepository: string;
  headSha: string;
  checkRunId: number | null;
  /** The agent session as JSON lines, when an agent step left one. */
  session: string | null;
}

const TAIL_PAGE_CHUNKS = 8;

/** Reads what the check of one action shows, with just enough of the log's end to fill it. */
export async function loadActionView(db: Db, actionId: string): Promise<ActionReportState | null> {
  const [row] = await db
    .select({ action: actions, run: runs })
    .from(actions)
    .innerJoin(runs, eq(runs.id, actions.runId))
    .where(eq(actions.id, actionId));
  if (!row) return null;
  const { action, run } = row;
  const steps = await db.select().from(actionSteps).where(eq(actionSteps.actionId, actionId)).orderBy(asc(actionSteps.index));

  const [{ total } = { total: 0 }] = await db
    .select({ total: sql<number>`coalesce(sum(length(${logChunks.content})), 0)::bigint` })
    .from(logChunks)
    .where(eq(logChunks.actionId, actionId));
  const tail: string[] = [];
  let tailChars = 0;
  // Newest chunks first, a few at a time, until there is more than a check can hold: a chunk can be
  // large, and a long log must not be read into memory to show its end.
  let before: number | null = null;
  while (tailChars < checkRunSummaryMaxChars) {
    const page: Array<{ id: number; content: string }> = await db
      .select({ id: logChunks.id, content: logChunks.content })
      .from(logChunks)
      .where(before === null ? eq(logChunks.actionId, actionId) : and(eq(logChunks.actionId, actionId), lt(logChunks.id, before)))
      .orderBy(desc(logChunks.id))
      .limit(TAIL_PAGE_CHUNKS);
    for (const { content } of page) {
      tail.unshift(content);
      tailChars += content.length;
      if (tailChars >= checkRunSummaryMaxChars) break;
    }
    if (page.length < TAIL_PAGE_CHUNKS) break;
    before = page[page.length - 1]!.id;
  }

  return {
    installationId: run.installationId,
    checkRepository: run.repository,
    headSha: run.headSha,
    checkRunId: action.checkRunId,
    session: action.session,
    view: {
      id: action.id,
      automation: run.automation,
      repository: action.repository,
      project: action.project,
      status: action.status,
      reason: action.reason,
      timedOut: action.timedOut,
      startedAt: action.startedAt,
      finishedAt: action.finishedAt,
      steps: steps.map((s) => ({
        index: s.index,
        name: s.name,
        status: s.status,
        exitCode: s.exitCode,
        reason: s.reason,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
      })),
      logTail: tail.join(""),
      logOmittedChars: Math.max(0, Number(total) - tailChars),
      pullRequestUrl: action.pullRequestUrl,
    },
  };
}
