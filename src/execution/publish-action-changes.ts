import type { Db } from "../db/client.js";
import type { ClaimedAction } from "../queue/claim-action.js";
import type { ActionClaim, ActionEnd } from "../runs/transitions.js";
import type { GitIdentity } from "./host-git.js";
import type { InstallationTokens } from "./installation-tokens.js";
import { pullRequestBranch } from "./pull-request-branch.js";
import { commitMessage, pullRequestBody, pullRequestTitle, type RunOrigin } from "./pull-request-text.js";
import type { PullRequestsApi } from "./pull-requests-api.js";
import { publishChanges } from "./publish-changes.js";
import { recordPullRequest } from "./record-pull-request.js";

/** Commits are authored as `automations[bot]` unless APP_SLUG names the app. */
export const DEFAULT_APP_SLUG = "automations";

/** What publishing an action's changes needs from the app. */
export interface PublishingDeps {
  pulls: PullRequestsApi;
  /** The app's slug on GitHub: commits are authored as `<slug>[bot]`. */
  appSlug: string;
  publicUrl: string | undefined;
}

/**
 * Turns the workspace of an action whose steps all succeeded into its end: done with its pull
 * request (stored on the action first), done with "no changes", or failed with the reason.
 */
export async function publishActionChanges(
  deps: { db: Db; tokens: InstallationTokens; publishing: PublishingDeps },
  action: ClaimedAction,
  claim: ActionClaim,
  workspace: { dir: string; headSha: string; baseIndex?: string; /** The repository cache holding `headSha`, when the clone came from it. */ cachedGitDir?: string },
  log: (line: string) => void,
  /** Heeded up to the push (see `PublishChangesOptions.signal`). */
  signal?: AbortSignal,
): Promise<ActionEnd> {
  const { run } = action;
  const pr = run.definition.pull_request;
  const origin: RunOrigin = {
    runId: run.id,
    automation: run.automation,
    repository: run.repository,
    trigger: run.trigger,
    project: action.project,
    publicUrl: deps.publishing.publicUrl,
  };
  const title = pullRequestTitle(pr.title, action.project);
  // A fresh token: the one the clone used may have expired during long steps.
  const token = await deps.tokens.tokenFor(run.installationId);
  const result = await publishChanges({
    pulls: deps.publishing.pulls,
    installationId: run.installationId,
    repository: action.repository,
    cloneUrl: action.cloneUrl,
    workspaceDir: workspace.dir,
    baseSha: workspace.headSha,
    baseSource: workspace.cachedGitDir,
    baseIndex: workspace.baseIndex,
    token,
    author: commitAuthor(deps.publishing.appSlug, action.cloneUrl),
    branch: pullRequestBranch(pr.branch, action.project),
    title,
    body: pullRequestBody(pr.body, origin),
    commitMessage: commitMessage(title, origin),
    draft: pr.draft,
    labels: pr.labels,
    log,
    signal,
  });
  switch (result.outcome) {
    case "no-changes":
      return { status: "done", reason: "no changes" };
    case "failed":
      return { status: "failed", reason: result.reason };
    case "published": {
      await recordPullRequest(deps.db, claim, result.pullRequest);
      const what = `pull request #${result.pullRequest.number} ${result.opened ? "opened" : "updated"}`;
      if (signal?.aborted) log(`Not stopped: the stop request came after the changes were pushed, so ${what} is kept`);
      return { status: "done", reason: result.warning ? `${what}; ${result.warning}` : what };
    }
  }
}

/** The app's bot account, as GitHub shows commits made by an app; GitHub Enterprise Server has its own host. */
export function commitAuthor(appSlug: string, cloneUrl: string): GitIdentity {
  let host = "github.com";
  try {
    host = new URL(cloneUrl).hostname || host;
  } catch {
    // Not a URL (a local path in a test, say): keep GitHub.com's form.
  }
  const login = `${appSlug}[bot]`;
  const domain = host === "github.com" ? "users.noreply.github.com" : `noreply.${host}`;
  return { name: login, email: `${login}@${domain}` };
}
