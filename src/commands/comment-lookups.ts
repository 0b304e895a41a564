import { gitHubTargets, type TargetsGitHub } from "../targets/github-targets.js";
import { resolveTargets, type TargetResolution } from "../targets/resolve-targets.js";
import type { AutomationDefinition } from "../automations/definition-schema.js";
import type { CandidateRepository } from "../targets/target.js";
import { writeAccessChecker, type WriteAccessCheck } from "./authorize.js";
import { commitToRunOn } from "./commit-to-run-on.js";
import type { CommentContext } from "./run-command.js";

/**
 * What the commands of one comment read from GitHub, each asked at most once: several command
 * lines, or `list` counting many automations, share the answers.
 */
export interface CommentLookups {
  writeAccess: WriteAccessCheck;
  targets: TargetsGitHub;
  /** The commit a run from this comment uses in the comment's repository. */
  triggeringCommit: () => Promise<string>;
  /** The comment's repository, as a target. */
  triggering: CandidateRepository;
}

const lookups = new WeakMap<CommentContext, CommentLookups>();

export function lookupsFor(ctx: CommentContext): CommentLookups {
  let found = lookups.get(ctx);
  if (!found) {
    let commit: Promise<string> | undefined;
    const { repository } = ctx;
    found = {
      writeAccess: writeAccessChecker(ctx.octokit, ctx.comment.author),
      targets: gitHubTargets(ctx.octokit),
      triggeringCommit: () => {
        commit ??= commitToRunOn(ctx);
        commit.catch(() => (commit = undefined));
        return commit;
      },
      triggering: {
        fullName: `${repository.owner}/${repository.repo}`,
        id: repository.id,
        cloneUrl: repository.cloneUrl,
        defaultBranch: repository.defaultBranch,
        archived: repository.archived ?? false,
        fork: repository.fork ?? false,
        topics: repository.topics ?? [],
      },
    };
    lookups.set(ctx, found);
  }
  return found;
}

/**
 * The targets of `definition` as seen from this comment: only `requested` ones when some are
 * named, and only those the commenter may write unless `asker` is null (counting, not running).
 */
export function commentTargets(
  ctx: CommentContext,
  definition: AutomationDefinition,
  requested: readonly string[],
  asker: "commenter" | null = "commenter",
): Promise<TargetResolution> {
  const lookups = lookupsFor(ctx);
  return resolveTargets(lookups.targets, {
    targets: definition.targets,
    triggering: lookups.triggering,
    triggeringCommit: lookups.triggeringCommit,
    requested,
    requester: asker === null ? null : { login: ctx.comment.author, writeAccess: lookups.writeAccess },
  });
}
