import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { runs } from "./runs.sql.js";

export interface IssueRef {
  installationId: number;
  repositoryId: number;
  /** The pull request or issue number. */
  issueNumber: number;
}

/**
 * The runs still pending or running that were started from a pull request or issue: by a
 * comment on it, or as a re-run (any number of times over) of such a run, since those report
 * on the same pull request. Optionally only those of one automation.
 */
export async function activeRunsFromIssue(db: Db, issue: IssueRef, automation: string | null): Promise<Array<{ id: string; automation: string }>> {
  const startedHere = sql`(
    with recursive started_here(id) as (
      select r.id from runs r
      where r.installation_id = ${issue.installationId}
        and r.repository_id = ${issue.repositoryId}
        and r.trigger->>'kind' = 'comment'
        and r.trigger->>'issueNumber' = ${String(issue.issueNumber)}
      union
      select r.id from runs r join started_here s on r.rerun_of = s.id
    )
    select id from started_here
  )`;
  return db
    .select({ id: runs.id, automation: runs.automation })
    .from(runs)
    .where(
      and(
        sql`${runs.id} in ${startedHere}`,
        inArray(runs.status, ["pending", "running"]),
        automation === null ? undefined : eq(runs.automation, automation),
      ),
    )
    .orderBy(asc(runs.createdAt));
}
