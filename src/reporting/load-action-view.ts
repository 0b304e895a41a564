import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, actionSteps, runs } from "../runs/runs.sql.js";
import { logChunks } from "../execution/logs.sql.js";
import type { ActionView, StepView } from "../runs/action-view.js";
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

/** A step as the steps subquery returns it: timestamps in the text the driver would have read. */
interface StepRow {
  index: number;
  name: string;
  status: StepView["status"];
  exitCode: number | null;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  continueOnError: boolean;
}

interface LogChunkRow {
  id: number;
  content: string;
}

/** PostgreSQL's driver parses json; PGlite's may hand it over as text. */
function fromJson<T>(value: T[] | string): T[] {
  return typeof value === "string" ? (JSON.parse(value) as T[]) : value;
}

/** Reads what the check of one action shows, with just enough of the log's end to fill it. */
export async function loadActionView(db: Db, actionId: string): Promise<ActionReportState | null> {
  // One statement for the action, its run, its steps, the log's length and its newest chunks;
  // more of the log's end only when those do not fill the check.
  const steps = sql<StepRow[] | string>`(select coalesce(json_agg(json_build_object(
      'index', ${actionSteps.index}, 'name', ${actionSteps.name}, 'status', ${actionSteps.status},
      'exitCode', ${actionSteps.exitCode}, 'reason', ${actionSteps.reason},
      'startedAt', ${actionSteps.startedAt}::text, 'finishedAt', ${actionSteps.finishedAt}::text,
      'continueOnError', coalesce((${runs.definition} -> 'steps' -> ${actionSteps.index} ->> 'continue_on_error')::boolean, false)
    ) order by ${actionSteps.index}), '[]'::json) from ${actionSteps} where ${actionSteps.actionId} = ${actions.id})`;
  const [row] = await db
    .select({
      action: {
        id: actions.id,
        repository: actions.repository,
        project: actions.project,
        status: actions.status,
        reason: actions.reason,
        timedOut: actions.timedOut,
        startedAt: actions.startedAt,
        finishedAt: actions.finishedAt,
        checkRunId: actions.checkRunId,
        session: actions.session,
        pullRequestUrl: actions.pullRequestUrl,
      },
      run: { automation: runs.automation, installationId: runs.installationId, repository: runs.repository, headSha: runs.headSha },
      steps,
      total: sql<string | number>`(select coalesce(sum(length(${logChunks.content})), 0)::bigint from ${logChunks} where ${logChunks.actionId} = ${actions.id})`,
      newest: sql<LogChunkRow[] | string>`(select coalesce(json_agg(json_build_object('id', newest.id, 'content', newest.content) order by newest.id desc), '[]'::json)
        from (select ${logChunks.id} as id, ${logChunks.content} as content from ${logChunks} where ${logChunks.actionId} = ${actions.id}
              order by ${logChunks.id} desc limit ${TAIL_PAGE_CHUNKS}) newest)`,
    })
    .from(actions)
    .innerJoin(runs, eq(runs.id, actions.runId))
    .where(eq(actions.id, actionId));
  if (!row) return null;
  const { action, run, total } = row;
  const stepRows = fromJson(row.steps);
  // Decoded as the column itself decodes what the driver reads, so the same instant to the millisecond.
  const time = (text: string | null): Date | null => (text === null ? null : (actionSteps.startedAt.mapFromDriverValue(text) as Date));

  const tail: string[] = [];
  let tailChars = 0;
  // Newest chunks first, a few at a time (the first few came with the action), until there is
  // more than a check can hold: a chunk can be large, and a long log must not be read into memory
  // to show its end.
  let page = fromJson(row.newest);
  for (;;) {
    for (const { content } of page) {
      tail.unshift(content);
      tailChars += content.length;
      if (tailChars >= checkRunSummaryMaxChars) break;
    }
    if (tailChars >= checkRunSummaryMaxChars || page.length < TAIL_PAGE_CHUNKS) break;
    page = await db
      .select({ id: logChunks.id, content: logChunks.content })
      .from(logChunks)
      .where(and(eq(logChunks.actionId, actionId), lt(logChunks.id, page[page.length - 1]!.id)))
      .orderBy(desc(logChunks.id))
      .limit(TAIL_PAGE_CHUNKS);
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
      steps: stepRows.map((s) => ({
        index: s.index,
        name: s.name,
        status: s.status,
        exitCode: s.exitCode,
        reason: s.reason,
        startedAt: time(s.startedAt),
        finishedAt: time(s.finishedAt),
        continueOnError: s.continueOnError,
      })),
      logTail: tail.join(""),
      logOmittedChars: Math.max(0, Number(total) - tailChars),
      pullRequestUrl: action.pullRequestUrl,
    },
  };
}
