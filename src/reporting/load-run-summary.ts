import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, actionSteps, runs } from "../runs/runs.sql.js";
import { endingStep } from "../runs/ending-step.js";
import type { RunSummaryAction, RunSummaryInput } from "./render-run-summary.js";

export interface RunReportState {
  input: Omit<RunSummaryInput, "actionUrl">;
  installationId: number;
  /** `owner/repo` the check runs are on (where the run was triggered). */
  checkRepository: string;
  headSha: string;
  checkRunId: number | null;
}

/** Reads what a run's summary check shows. */
export async function loadRunSummary(db: Db, runId: string): Promise<RunReportState | null> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  if (!run) return null;
  const rows = await db
    .select({
      id: actions.id,
      repository: actions.repository,
      project: actions.project,
      status: actions.status,
      timedOut: actions.timedOut,
      startedAt: actions.startedAt,
      finishedAt: actions.finishedAt,
      pullRequestUrl: actions.pullRequestUrl,
      pullRequestNumber: actions.pullRequestNumber,
      reason: actions.reason,
      errorLine: actions.errorLine,
    })
    .from(actions)
    .where(eq(actions.runId, runId))
    .orderBy(asc(actions.position));
  const stepsOfFailed = await db
    .select({
      actionId: actionSteps.actionId,
      index: actionSteps.index,
      name: actionSteps.name,
      status: actionSteps.status,
      exitCode: actionSteps.exitCode,
      reason: actionSteps.reason,
    })
    .from(actionSteps)
    .innerJoin(actions, eq(actions.id, actionSteps.actionId))
    .where(and(eq(actions.runId, runId), eq(actions.status, "failed")))
    .orderBy(asc(actionSteps.index));
  const stepsOf = new Map<string, Array<(typeof stepsOfFailed)[number] & { continueOnError: boolean }>>();
  for (const step of stepsOfFailed) {
    const continueOnError = run.definition.steps[step.index]?.continue_on_error ?? false;
    const steps = stepsOf.get(step.actionId) ?? [];
    if (steps.length === 0) stepsOf.set(step.actionId, steps);
    steps.push({ ...step, continueOnError });
  }

  const summaryActions: RunSummaryAction[] = rows.map((row) => {
    const step = endingStep(stepsOf.get(row.id) ?? [], row.timedOut);
    return {
      id: row.id,
      target: row.project ? `${row.repository}/${row.project}` : row.repository,
      status: row.status,
      timedOut: row.timedOut,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      pullRequestUrl: row.pullRequestUrl,
      pullRequestNumber: row.pullRequestNumber,
      failedStep: step ? { index: step.index, name: step.name, exitCode: step.exitCode, reason: step.reason } : null,
      reason: row.reason,
      errorLine: row.errorLine,
    };
  });
  return {
    installationId: run.installationId,
    checkRepository: run.repository,
    headSha: run.headSha,
    checkRunId: run.summaryCheckRunId,
    input: {
      automation: run.automation,
      status: run.status,
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
      actions: summaryActions,
      skippedTargets: run.skippedTargets,
    },
  };
}
