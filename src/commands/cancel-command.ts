import type { Db } from "../db/client.js";
import type { Wakeups } from "../queue/wakeups.js";
import { activeRunsFromIssue } from "../runs/active-runs-from-issue.js";
import { cancelRun } from "../runs/cancel.js";
import { lookupsFor } from "./comment-lookups.js";
import { alreadyCancellingReply, cancelRefusedReply, gitHubFailureReply, nothingToCancelReply } from "./replies.js";
import type { CommentContext } from "./run-command.js";

export type CancelCommandOutcome =
  /** Something was cancelled: acknowledged with a reaction, no comment. */
  | { kind: "cancelled"; runs: number; skipped: number; stopping: number }
  | { kind: "reply"; message: string };

/**
 * `/automation cancel [<name>]`: cancels the active runs started from this pull request or issue
 * (or only those of `name`). Pending actions stop without starting; running ones are marked for
 * their worker to kill the container. Needs write access, as starting does.
 */
export async function cancelCommand(
  deps: { db: Db; wakeups: Wakeups },
  ctx: CommentContext,
  automation: string | null,
): Promise<CancelCommandOutcome> {
  const fullName = `${ctx.repository.owner}/${ctx.repository.repo}`;
  let access;
  try {
    access = await lookupsFor(ctx).writeAccess(fullName);
  } catch (err) {
    ctx.log.error({ err }, "could not check the commenter's permission for cancel");
    return { kind: "reply", message: gitHubFailureReply(`check ${ctx.comment.author}'s permission on ${fullName}`, err, "Nothing was cancelled") };
  }
  if (!access.allowed) return { kind: "reply", message: cancelRefusedReply(ctx.comment.author, fullName, access.permission) };

  const active = await activeRunsFromIssue(
    deps.db,
    { installationId: ctx.installationId, repositoryId: ctx.repository.id, issueNumber: ctx.issue.number },
    automation,
  );
  let skipped = 0;
  let stopping = 0;
  let cancelledRuns = 0;
  for (const run of active) {
    const outcome = await cancelRun(deps, run.id, ctx.comment.author);
    if (outcome.skipped + outcome.stopping > 0) cancelledRuns += 1;
    skipped += outcome.skipped;
    stopping += outcome.stopping;
    ctx.log.info({ runId: run.id, automation: run.automation, ...outcome }, "run cancelled from a comment");
  }
  if (cancelledRuns === 0) {
    // Runs still active after a cancel are ones whose containers are already being stopped.
    const message = active.length > 0 ? alreadyCancellingReply(active.length) : nothingToCancelReply(automation, ctx.issue.isPullRequest);
    return { kind: "reply", message };
  }
  return { kind: "cancelled", runs: cancelledRuns, skipped, stopping };
}
