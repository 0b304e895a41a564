import type { CommentContext } from "./run-command.js";

/**
 * The commit a comment's run is reported on: the pull request's head, or the default branch's
 * head for a comment on an issue.
 */
export async function commitToRunOn(ctx: CommentContext): Promise<string> {
  const { owner, repo, defaultBranch } = ctx.repository;
  if (ctx.issue.isPullRequest) {
    const { data } = await ctx.octokit.rest.pulls.get({ owner, repo, pull_number: ctx.issue.number });
    return data.head.sha;
  }
  const { data } = await ctx.octokit.rest.repos.getBranch({ owner, repo, branch: defaultBranch });
  return data.commit.sha;
}
