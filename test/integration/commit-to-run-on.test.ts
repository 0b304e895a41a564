import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import pino from "pino";
import { ProbotOctokit } from "probot";
import { commitToRunOn } from "../../src/commands/commit-to-run-on.js";
import type { CommentContext } from "../../src/commands/run-command.js";
import { GITHUB_API, isolateGitHub, restoreNetwork } from "../helpers/github-api.js";
import { examplePayload } from "../helpers/webhooks.js";

// Where a comment's checks go (DESIGN.md §6): a pull request's head, even when the head is in a
// fork (whose webhook payloads carry no `pull_requests`), or the default branch for an issue.

const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));

function context(isPullRequest: boolean): CommentContext {
  return {
    octokit: new TestOctokit({ auth: { token: "ghs_commitToRunOnTest" } }),
    log: pino({ level: "silent" }),
    deliveryId: "d-1",
    installationId: 1,
    repository: { owner: "Codertocat", repo: "Hello-World", id: 1, defaultBranch: "master", cloneUrl: "https://github.com/Codertocat/Hello-World.git" },
    issue: { number: 2, isPullRequest },
    comment: { id: 3, author: "Codertocat" },
  };
}

describe("the commit a comment's checks are reported on", () => {
  afterEach(() => restoreNetwork());

  it("is the head of a pull request from a fork, as pulls.get gives it", async () => {
    isolateGitHub();
    const pull = examplePayload("pull_request", (p) => p.action === "opened").pull_request;
    pull.head = { ...pull.head, sha: "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0", repo: { ...pull.head.repo, full_name: "contributor/Hello-World", fork: true } };
    nock(GITHUB_API).get("/repos/Codertocat/Hello-World/pulls/2").reply(200, pull);

    expect(await commitToRunOn(context(true))).toBe("f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("is the default branch's head for a comment on an issue", async () => {
    isolateGitHub();
    nock(GITHUB_API)
      .get("/repos/Codertocat/Hello-World/branches/master")
      .reply(200, { name: "master", commit: { sha: "abcabcabcabcabcabcabcabcabcabcabcabcabc0" } });

    expect(await commitToRunOn(context(false))).toBe("abcabcabcabcabcabcabcabcabcabcabcabcabc0");
    expect(nock.pendingMocks()).toEqual([]);
  });
});
