// The part of GitHub's pull-request API that publishing changes needs; implemented on Octokit in
// github-app/octokit-pulls.ts, injected so that tests meet GitHub only at its HTTP edge.

export interface PullRequestRef {
  number: number;
  /** The page a person opens, e.g. https://github.com/acme/web/pull/12. */
  url: string;
}

export interface PullRequestFields {
  title: string;
  body: string;
}

export interface PullRequestsApi {
  defaultBranch(installationId: number, repository: string): Promise<string>;
  /** The open pull request whose head is `branch` of `repository` itself, if any. */
  findOpen(installationId: number, repository: string, branch: string): Promise<PullRequestRef | null>;
  create(
    installationId: number,
    repository: string,
    pullRequest: PullRequestFields & { head: string; base: string; draft: boolean },
  ): Promise<PullRequestRef>;
  update(installationId: number, repository: string, number: number, fields: PullRequestFields): Promise<PullRequestRef>;
  /** Adds labels (GitHub creates the ones the repository lacks); keeps the ones already there. */
  addLabels(installationId: number, repository: string, number: number, labels: readonly string[]): Promise<void>;
}

/** GitHub refused a request: its HTTP status and what it said, errors included. */
export class GitHubRequestError extends Error {
  override readonly name = "GitHubRequestError";
  constructor(
    readonly status: number,
    /** GitHub's own words, e.g. `Validation Failed: No commits between main and automation/x`. */
    readonly said: string,
  ) {
    super(`GitHub answered ${status}: ${said}`);
  }
}
