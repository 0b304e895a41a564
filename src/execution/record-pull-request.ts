import type { Db } from "../db/client.js";
import { actions } from "../runs/runs.sql.js";
import { heldBy, type ActionClaim } from "../runs/transitions.js";
import type { PullRequestRef } from "./pull-requests-api.js";

/**
 * Stores the action's pull request just before the action is finished, only while `claim` still
 * holds it: a worker that lost the action records nothing.
 */
export async function recordPullRequest(db: Db, claim: ActionClaim, pullRequest: PullRequestRef): Promise<boolean> {
  const rows = await db
    .update(actions)
    .set({ pullRequestUrl: pullRequest.url, pullRequestNumber: pullRequest.number })
    .where(heldBy(claim))
    .returning({ id: actions.id });
  return rows.length > 0;
}
