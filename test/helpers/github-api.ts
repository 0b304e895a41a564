import nock from "nock";

export const GITHUB_API = "https://api.github.com";

/** GitHub only: everything else on this machine (the app, git, Docker) is reached for real. */
export function isolateGitHub(): void {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
}

export function restoreNetwork(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}

/** A definition file as the contents API returns it. */
export function contentsResponse(path: string, source: string) {
  return {
    type: "file",
    encoding: "base64",
    name: path.split("/").pop(),
    path,
    sha: "3d21ec53a331a6f037a91c368710b99387d012c1",
    size: Buffer.byteLength(source),
    content: Buffer.from(source).toString("base64"),
  };
}

export interface CheckRunCalls {
  created: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  updated: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The run's summary check (`external_id` `run:<id>`), apart from the action's. */
  summary: {
    created: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    updated: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

const isSummary = (body: Record<string, unknown>) => String(body.external_id ?? "").startsWith("run:");

/**
 * Check-run creates and updates on `repository`, recorded in the order GitHub receives them: the
 * action's check as `checkRunId`, the run's summary check as `checkRunId + 1`.
 * Updates are persistent (how many progress updates a run sends depends on timing); with
 * `updates: false` (no worker runs) none is expected, and one would go unanswered.
 */
export function recordCheckRuns(repository: string, checkRunId: number, options: { updates?: boolean } = {}): CheckRunCalls {
  const calls: CheckRunCalls = { created: [], updated: [], summary: { created: [], updated: [] } };
  const summaryId = checkRunId + 1;
  // Exactly one create of each: a second would be a duplicate check on the pull request.
  nock(GITHUB_API)
    .post(`/repos/${repository}/check-runs`, (body: Record<string, unknown>) => {
      if (isSummary(body)) return false;
      calls.created.push(body);
      return true;
    })
    .reply(201, { id: checkRunId });
  nock(GITHUB_API)
    .post(`/repos/${repository}/check-runs`, (body: Record<string, unknown>) => {
      if (!isSummary(body)) return false;
      calls.summary.created.push(body);
      return true;
    })
    .reply(201, { id: summaryId });
  if (options.updates === false) return calls;
  nock(GITHUB_API)
    // nock asks every body matcher of a host and method, whatever the path: each records only its own check's.
    .patch(`/repos/${repository}/check-runs/${checkRunId}`, (body: Record<string, unknown>) => {
      if (isSummary(body)) return false;
      calls.updated.push(body);
      return true;
    })
    .reply(200, { id: checkRunId })
    .persist();
  // The summary is updated as the run moves on, at most every few seconds: when the test ends
  // may come before or after its last update.
  nock(GITHUB_API)
    .patch(`/repos/${repository}/check-runs/${summaryId}`, (body: Record<string, unknown>) => {
      if (!isSummary(body)) return false;
      calls.summary.updated.push(body);
      return true;
    })
    .optionally()
    .reply(200, { id: summaryId })
    .persist();
  return calls;
}

/** An installation token as GitHub issues it; complete, so Probot caches it for later calls. */
export function installationTokenResponse(token: string) {
  return {
    token,
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
    permissions: { checks: "write", contents: "write", issues: "write", pull_requests: "write", metadata: "read" },
    repository_selection: "all",
  };
}

/**
 * Every check run created on `repository`, in order, each answered with `checkRunId`; for tests
 * that start several runs. Updates of that id (a run's summary check) are allowed, not required.
 */
export function recordEveryCheckCreate(repository: string, checkRunId: number): Array<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const created: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  nock(GITHUB_API)
    .post(`/repos/${repository}/check-runs`, (body: Record<string, unknown>) => {
      created.push(body);
      return true;
    })
    .reply(201, { id: checkRunId })
    .persist();
  nock(GITHUB_API).patch(`/repos/${repository}/check-runs/${checkRunId}`).optionally().reply(200, { id: checkRunId }).persist();
  return created;
}
