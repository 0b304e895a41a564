import { mkdtemp, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { commitAndPush } from "./commit-and-push.js";
import { detectChanges } from "./detect-changes.js";
import { hostGit, PublishError, type GitIdentity } from "./host-git.js";
import { GitHubRequestError, type PullRequestRef, type PullRequestsApi } from "./pull-requests-api.js";
import { ActionStopped, throwIfStopped } from "../queue/stop-request.js";

export interface PublishChangesOptions {
  pulls: PullRequestsApi;
  installationId: number;
  /** `owner/repo` of the target. */
  repository: string;
  cloneUrl: string;
  /** The workspace, as the steps left it. */
  workspaceDir: string;
  /** The commit the workspace was cloned at. */
  baseSha: string;
  /** A local repository holding `baseSha` (the repository cache); without it, `baseSha` is fetched from `cloneUrl` again. */
  baseSource?: string;
  /** The checkout's index as it was before the steps (Workspace.baseIndex). */
  baseIndex?: string;
  token: string;
  author: GitIdentity;
  branch: string;
  title: string;
  body: string;
  commitMessage: string;
  draft: boolean;
  labels: readonly string[];
  log: (line: string) => void;
  /**
   * The action's stop request (a cancel, a shutdown). Heeded up to the push: stopped then, the
   * action leaves nothing on GitHub. Once the branch is pushed, its pull request is opened
   * regardless, rather than leave a branch that no pull request shows.
   */
  signal?: AbortSignal;
}

export type PublishResult =
  | { outcome: "no-changes" }
  | {
      outcome: "published";
      pullRequest: PullRequestRef;
      /** false: an open pull request from an earlier run was updated. */
      opened: boolean;
      branch: string;
      commitSha: string;
      /** Something that went wrong without undoing the pull request (labels). */
      warning: string | null;
    }
  | { outcome: "failed"; reason: string };

/**
 * Detect → commit → push → open or update the pull request. Failures are results; only a stop
 * request heeded before the push is thrown (`ActionStopped`), as the steps' own stops are.
 */
export async function publishChanges(options: PublishChangesOptions): Promise<PublishResult> {
  const { workspaceDir, log } = options;
  // The host's git directory sits beside the workspace, outside what the container can reach.
  const gitDir = await mkdtemp(join(dirname(workspaceDir), `${basename(workspaceDir)}.publish-`));
  try {
    return await publish(options, gitDir);
  } catch (error) {
    if (error instanceof ActionStopped) throw error;
    const reason = error instanceof PublishError ? error.message : `Could not publish the changes: ${(error as Error).message ?? String(error)}`;
    log(reason);
    return { outcome: "failed", reason };
  } finally {
    await rm(gitDir, { recursive: true, force: true });
  }
}

async function publish(options: PublishChangesOptions, gitDir: string): Promise<PublishResult> {
  const { pulls, installationId, repository, cloneUrl, baseSha, branch, log } = options;
  const git = hostGit({ gitDir, workTree: options.workspaceDir, token: options.token, author: options.author, log });

  log(`Comparing the workspace with ${baseSha}`);
  const changes = await detectChanges(git, { cloneUrl, baseSha, baseSource: options.baseSource, baseIndex: options.baseIndex });
  if (!changes.changed) {
    log("No changes: no pull request");
    return { outcome: "no-changes" };
  }
  const shown = 50;
  log(`${changes.files.length} file(s) changed:`);
  for (const line of changes.files.slice(0, shown)) log(`  ${line.replace("\t", " ")}`);
  if (changes.files.length > shown) log(`  … and ${changes.files.length - shown} more`);

  const base = await github(`read the default branch of ${repository}`, () => pulls.defaultBranch(installationId, repository));
  if (branch === base) {
    throw new PublishError(
      `pull_request.branch is "${branch}", the default branch of ${repository}; the app pushes its changes to a branch of their own. Choose another pull_request.branch.`,
    );
  }

  if (options.signal) throwIfStopped(options.signal);
  const { commitSha } = await commitAndPush(git, { tree: changes.tree, baseSha, message: options.commitMessage, cloneUrl, repository, branch });
  log(`Pushed ${commitSha} to ${branch}`);

  const fields = { title: options.title, body: options.body };
  const where = `from ${branch} into ${base} of ${repository}`;
  let opened = false;
  let pullRequest = await github(`look for an open pull request ${where}`, () => pulls.findOpen(installationId, repository, branch));
  if (pullRequest) {
    const number = pullRequest.number;
    pullRequest = await github(`update pull request #${number} ${where}`, () => pulls.update(installationId, repository, number, fields));
  } else {
    try {
      pullRequest = await pulls.create(installationId, repository, { ...fields, head: branch, base, draft: options.draft });
      opened = true;
    } catch (error) {
      // Another run of the same automation may have opened it a moment ago: update that one.
      const existing = isAlreadyExists(error) ? await pulls.findOpen(installationId, repository, branch).catch(() => null) : null;
      if (!existing) throw new PublishError(gitHubFailure(`open a pull request ${where}`, error, branch));
      pullRequest = await github(`update pull request #${existing.number} ${where}`, () => pulls.update(installationId, repository, existing.number, fields));
    }
  }
  log(`${opened ? "Opened" : "Updated"} pull request #${pullRequest.number}: ${pullRequest.url}`);

  let warning: string | null = null;
  if (options.labels.length > 0) {
    const number = pullRequest.number;
    await pulls.addLabels(installationId, repository, number, options.labels).catch((error: unknown) => {
      warning = gitHubFailure(`add the labels ${options.labels.join(", ")} to pull request #${number}`, error, branch);
      log(warning);
    });
  }
  return { outcome: "published", pullRequest, opened, branch, commitSha, warning };
}

async function github<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new PublishError(gitHubFailure(what, error, null));
  }
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof GitHubRequestError && error.status === 422 && /already exists/i.test(error.said);
}

/** "Could not <what>: GitHub answered 403 (…). <what to do>." */
export function gitHubFailure(what: string, error: unknown, branch: string | null): string {
  if (!(error instanceof GitHubRequestError)) {
    return `Could not ${what}: ${(error as Error)?.message ?? String(error)}. Check that GitHub can be reached, then run the automation again.`;
  }
  const said = `GitHub answered ${error.status} (${error.said.replace(/\.$/, "")})`;
  return `Could not ${what}: ${said}. ${gitHubHint(error, branch)}`;
}

function gitHubHint(error: GitHubRequestError, branch: string | null): string {
  const { status, said } = error;
  if (status === 401) return "The app's installation token was refused; check the app's credentials and installation.";
  if (status === 403 && /rate limit/i.test(said)) return "GitHub's rate limit was reached; run the automation again later.";
  if (status === 403) {
    return "The app needs the `pull_requests: write` permission (and `issues: write` for labels) on the repository; accept the new permissions in the installation's settings.";
  }
  if (status === 404) return "Check that the repository exists and that the app is installed on it.";
  if (status === 422 && /draft/i.test(said)) return "This repository does not accept draft pull requests; set pull_request.draft to false.";
  if (status === 422 && /no commits between/i.test(said)) return `The branch${branch ? ` ${branch}` : ""} has nothing the default branch lacks; nothing to review.`;
  if (status === 422) return "Check pull_request in the automation's definition (branch, title, labels).";
  return "Run the automation again; if it keeps failing, check GitHub's status.";
}
