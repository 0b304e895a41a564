import { and, asc, desc, eq, ne, or } from "drizzle-orm";
import type { Db } from "../db/client.js";
import type { NewTarget } from "./create-run.js";
import { actions, runs } from "./runs.sql.js";
import { summaryExternalId } from "../reporting/send-check.js";

// The runs and targets a check-run trigger (Re-run, Re-run all, retry-failed) starts from, read
// from the database: GitHub's payload only names a check run, the database knows what it was.

/** What a new run takes over from the run it re-runs. */
export interface RerunSource {
  runId: string;
  automation: string;
  installationId: number;
  /** `owner/repo` the checks are on; its default branch holds the definition. */
  repository: string;
  repositoryId: number;
  headSha: string;
  definitionPath: string;
}

const sourceColumns = {
  runId: runs.id,
  automation: runs.automation,
  installationId: runs.installationId,
  repository: runs.repository,
  repositoryId: runs.repositoryId,
  headSha: runs.headSha,
  definitionPath: runs.definitionPath,
};

const targetColumns = {
  repository: actions.repository,
  repositoryId: actions.repositoryId,
  cloneUrl: actions.cloneUrl,
  ref: actions.ref,
  project: actions.project,
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The action an action's check run stands for (its `external_id` is the action id), with its run. */
export async function findActionOfCheck(
  db: Db,
  installationId: number,
  externalId: string | null | undefined,
): Promise<{ source: RerunSource; target: NewTarget } | null> {
  if (!externalId || !uuidPattern.test(externalId)) return null;
  const [row] = await db
    .select({ source: sourceColumns, target: targetColumns })
    .from(actions)
    .innerJoin(runs, eq(runs.id, actions.runId))
    .where(and(eq(actions.id, externalId), eq(runs.installationId, installationId)));
  return row ?? null;
}

/**
 * The run whose summary check is `checkRunId`: by the id stored when the check was created, or
 * by the check's `external_id` (`run:<id>`), which GitHub has even when storing the id was lost.
 */
export async function findRunOfSummaryCheck(
  db: Db,
  installationId: number,
  check: { id: number; externalId: string | null | undefined },
): Promise<RerunSource | null> {
  const prefix = summaryExternalId("");
  const runId = check.externalId?.startsWith(prefix) ? check.externalId.slice(prefix.length) : null;
  const byExternalId = runId !== null && uuidPattern.test(runId) ? eq(runs.id, runId) : undefined;
  const [row] = await db
    .select(sourceColumns)
    .from(runs)
    .where(and(eq(runs.installationId, installationId), or(eq(runs.summaryCheckRunId, check.id), byExternalId)))
    .orderBy(desc(runs.createdAt))
    .limit(1);
  return row ?? null;
}

/**
 * The latest run of each automation whose checks are on `headSha` of the repository, by
 * automation name. Runs recorded for `exceptDelivery` (the delivery being handled, seen again)
 * are left out, so a redelivery picks the same runs as the first delivery did.
 */
export async function latestRunsOnCommit(
  db: Db,
  where: { installationId: number; repositoryId: number; headSha: string; exceptDelivery: string },
): Promise<RerunSource[]> {
  return db
    .selectDistinctOn([runs.automation], sourceColumns)
    .from(runs)
    .where(
      and(
        eq(runs.installationId, where.installationId),
        eq(runs.repositoryId, where.repositoryId),
        eq(runs.headSha, where.headSha),
        ne(runs.deliveryId, where.exceptDelivery),
      ),
    )
    .orderBy(asc(runs.automation), desc(runs.createdAt));
}

/** A run's targets in their original order; with `failedOnly`, those whose action failed. */
export async function targetsOfRun(db: Db, runId: string, options: { failedOnly: boolean }): Promise<NewTarget[]> {
  return db
    .select(targetColumns)
    .from(actions)
    .where(and(eq(actions.runId, runId), options.failedOnly ? eq(actions.status, "failed") : undefined))
    .orderBy(asc(actions.position));
}

/** Whether this delivery already recorded the run at `commandIndex` (a redelivery). */
export async function runOfDelivery(db: Db, deliveryId: string, commandIndex: number): Promise<string | null> {
  const [row] = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.deliveryId, deliveryId), eq(runs.commandIndex, commandIndex)));
  return row?.id ?? null;
}
