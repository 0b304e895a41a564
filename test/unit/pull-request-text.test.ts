import { describe, expect, it } from "vitest";
import { commitMessage, pullRequestBody, pullRequestTitle, runPageUrl, type RunOrigin } from "../../src/execution/pull-request-text.js";
import { projectSlug, pullRequestBranch } from "../../src/execution/pull-request-branch.js";
import { commitAuthor } from "../../src/execution/publish-action-changes.js";
import { pushHint } from "../../src/execution/commit-and-push.js";
import { gitHubFailure } from "../../src/execution/publish-changes.js";
import { GitHubRequestError } from "../../src/execution/pull-requests-api.js";

const runId = "0b7c5c1e-7d2a-4a53-9b1c-3f1f8f0e2a11";
const origin: RunOrigin = {
  runId,
  automation: "upgrade-node",
  repository: "acme/web",
  trigger: { kind: "comment", commentId: 1, issueNumber: 42, isPullRequest: true, sender: "octocat" },
  project: null,
  publicUrl: undefined,
};

describe("pullRequestBranch", () => {
  it.each([
    ["automation/upgrade-node", null, "automation/upgrade-node"],
    ["automation/upgrade-node", "services/api", "automation/upgrade-node/services-api"],
    ["automation/x", "apps/web app", "automation/x/apps-web-app"],
    ["automation/x", "../../etc", "automation/x/etc"],
    ["automation/x", "a..b/~c^d:e", "automation/x/a.b-c-d-e"],
    ["automation/x", "lib.lock", "automation/x/lib-lock"],
    ["automation/x", ".", "automation/x"],
  ])("%s for project %s is %s", (branch, project, expected) => {
    expect(pullRequestBranch(branch, project)).toBe(expected);
  });

  it("keeps a project's slug to a length git and GitHub accept", () => {
    expect(projectSlug("a/".repeat(200)).length).toBeLessThanOrEqual(80);
  });
});

describe("pull request text", () => {
  it("tells the projects of one repository apart in the title", () => {
    expect(pullRequestTitle("chore: upgrade", null)).toBe("chore: upgrade");
    expect(pullRequestTitle("chore: upgrade", "services/api")).toBe("chore: upgrade (services/api)");
  });

  it("ends the body with the run and the pull request that started it", () => {
    expect(pullRequestBody("Move to Node 22.", origin)).toBe(
      `Move to Node 22.\n\n---\n\nChanges from run \`${runId}\` of the \`upgrade-node\` automation, started by @octocat from acme/web#42.`,
    );
  });

  it("links the run's page when the app has a public address", () => {
    const body = pullRequestBody("", { ...origin, publicUrl: "https://automations.example.com/", project: "services/api" });
    expect(body).toBe(
      `Changes from [run \`${runId}\`](https://automations.example.com/automations/runs/${runId}) of the \`upgrade-node\` automation for \`services/api\`, started by @octocat from acme/web#42.`,
    );
    expect(runPageUrl("https://automations.example.com", runId)).toBe(`https://automations.example.com/automations/runs/${runId}`);
  });

  it("says how a run not started from a comment came about", () => {
    expect(pullRequestBody("b", { ...origin, trigger: { kind: "check-rerun", checkRunId: 5, sender: "hubot" } })).toContain("re-run by @hubot.");
    expect(pullRequestBody("b", { ...origin, trigger: { kind: "page", sender: "hubot" } })).toContain("from the app's pages.");
  });

  it("names the automation and the run in the commit message", () => {
    expect(commitMessage("chore: upgrade", { ...origin, project: "services/api" })).toBe(
      `chore: upgrade\n\nAutomation: upgrade-node\nRun: ${runId}\nProject: services/api\n`,
    );
  });
});

describe("commitAuthor", () => {
  it.each([
    ["https://github.com/acme/web.git", "automations[bot]@users.noreply.github.com"],
    ["https://ghe.example.com/acme/web.git", "automations[bot]@noreply.ghe.example.com"],
  ])("commits to %s as the app's bot, %s", (cloneUrl, email) => {
    expect(commitAuthor("automations", cloneUrl)).toEqual({ name: "automations[bot]", email });
  });
});

describe("why publishing failed, and what to do", () => {
  it.each([
    ["! [remote rejected] GH006: Protected branch update failed", /allow the app to push to it/],
    ["refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission", /`workflows: write`/],
    ["fatal: unable to access 'https://github.com/acme/web.git/': The requested URL returned error: 403", /`contents: write`/],
    ["error: cannot lock ref 'refs/heads/automation/x/y': 'refs/heads/automation/x' exists", /conflicting name/],
    ["fatal: unable to access: Could not resolve host: github.com", /could not be reached/],
  ])("a push that says %j", (output, hint) => {
    expect(pushHint(output)).toMatch(hint);
  });

  it.each([
    [403, "Resource not accessible by integration", /`pull_requests: write`/],
    [403, "API rate limit exceeded for installation", /rate limit/],
    [404, "Not Found", /installed on it/],
    [422, "Validation Failed: No commits between main and automation/x", /nothing the default branch lacks/],
    [422, "Validation Failed: Draft pull requests are not supported in this repository.", /pull_request\.draft to false/],
    [500, "Server Error", /Run the automation again/],
  ])("GitHub answering %i %j", (status, said, hint) => {
    const reason = gitHubFailure("open a pull request from automation/x into main of acme/web", new GitHubRequestError(status, said), "automation/x");
    expect(reason).toContain(`Could not open a pull request from automation/x into main of acme/web: GitHub answered ${status}`);
    expect(reason).toMatch(hint);
  });
});
