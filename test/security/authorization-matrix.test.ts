import { randomUUID } from "node:crypto";
import nock from "nock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { useWebhookOnlyApp } from "../helpers/webhook-only-app.js";
import { contentsResponse, GITHUB_API, installationTokenResponse } from "../helpers/github-api.js";
import { captureReplies, contentsPath, definitionFile, example, EXAMPLE_TOKEN, mockToken } from "../helpers/example-comment.js";
import { pullRequestCommentPayload } from "../helpers/webhooks.js";
import { actions, runs } from "../../src/runs/runs.sql.js";

// Who may start work, through the app's real path: a signed issue_comment delivered to the app's
// endpoint, GitHub mocked at its edge. Every pairing of the commenter's permission on the
// commented repository and on a second target repository (DESIGN.md §4: write on both is needed
// for an action there), a bot, and an edited comment. Where a person may not run, everything a
// run would need is still offered by the mocks, so an authorization that let them through would
// show as a run in the database rather than as a request nobody answered.

const { repository, owner, author, installationId, issueNumber, commentId, defaultBranch } = example;
const TARGET = `${owner}/target-repo`;
const PR_HEAD = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";
const TARGET_HEAD = "cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34";
const triggeringId = pullRequestCommentPayload("").repository.id as number;

const DEFINITION = [
  "description: Runs on the commented repository and one more",
  "targets:",
  `  repositories: ["${repository}", "${TARGET}"]`,
  "container:",
  "  image: busybox",
  "steps:",
  "  - name: Greet",
  "    run: echo hi",
  "",
].join("\n");

// GitHub's collaborator permission API: `permission` is admin, write, read or none; `role_name`
// is finer, maintain reading as write and triage as read.
const levels = {
  admin: { permission: "admin", role_name: "admin" },
  maintain: { permission: "write", role_name: "maintain" },
  write: { permission: "write", role_name: "write" },
  triage: { permission: "read", role_name: "triage" },
  read: { permission: "read", role_name: "read" },
  none: { permission: "none", role_name: "none" },
} as const;
type Level = keyof typeof levels;
const mayWrite = (level: Level) => level === "admin" || level === "maintain" || level === "write";

const matrix = (Object.keys(levels) as Level[]).flatMap((commented) => (Object.keys(levels) as Level[]).map((target) => ({ commented, target })));

const figure = { cases: 0, runs: 0, actions: 0, unauthorizedRuns: 0, unauthorizedActions: 0 };

describe("authorization matrix: who may start a run, and on which targets (PostgreSQL, GitHub mocked)", () => {
  const env = useWebhookOnlyApp("authorization-matrix");

  afterAll(() => {
    console.info(
      `authorization matrix: ${figure.cases} cases, runs: ${figure.runs}, actions: ${figure.actions}, ` +
        `unauthorized runs: ${figure.unauthorizedRuns}, unauthorized actions: ${figure.unauthorizedActions}`,
    );
  });

  /** GitHub requests the mocks below answered, as `METHOD path`. */
  let asked: string[] = [];
  beforeEach(() => {
    asked = [];
  });

  /** An interceptor on GitHub's API that records what it answers; optional unless `required`. */
  function offer(method: "get" | "post" | "patch", path: string, required: boolean): nock.Interceptor {
    const scope = nock(GITHUB_API);
    // nock hands the listener the fetch Request it answered.
    scope.on("request", (request: Request) => asked.push(`${request.method} ${new URL(request.url).pathname}`));
    const interceptor = scope[method](path);
    return required ? interceptor : interceptor.optionally();
  }

  function offerPermission(repo: string, level: Level, required: boolean) {
    offer("get", `/repos/${repo}/collaborators/${author}/permission`, required).reply(200, { ...levels[level], user: { login: author } });
  }

  /**
   * Everything a run needs past the commenter's permissions: the definition, the pull request's
   * head, the installation's repositories, the target's head, the check runs and the reaction.
   * Required only where a run is expected; otherwise offered, so that a run let through would be
   * recorded and counted.
   */
  function offerWhatARunNeeds(options: { runExpected: boolean; targetExpected: boolean }) {
    const { runExpected, targetExpected } = options;
    offer("get", contentsPath(repository, "matrix"), runExpected)
      .query({ ref: defaultBranch })
      .reply(200, contentsResponse(definitionFile("matrix"), DEFINITION));
    offer("get", `/repos/${repository}/pulls/${issueNumber}`, runExpected).reply(200, { number: issueNumber, head: { sha: PR_HEAD, ref: "feature" } });
    offer("get", "/installation/repositories", runExpected)
      .query({ per_page: "100" })
      .reply(200, {
        total_count: 2,
        repositories: [
          { id: triggeringId, full_name: repository, clone_url: `https://github.com/${repository}.git`, default_branch: defaultBranch, archived: false, fork: false, topics: [] },
          { id: 7777, full_name: TARGET, clone_url: `https://github.com/${TARGET}.git`, default_branch: "main", archived: false, fork: false, topics: [] },
        ],
      });
    offer("get", `/repos/${TARGET}/branches/main`, targetExpected).reply(200, { name: "main", commit: { sha: TARGET_HEAD } });
    offer("post", `/repos/${repository}/issues/comments/${commentId}/reactions`, runExpected).reply(201, { id: 1, content: "rocket" });
    // The reporter's queued checks, one per action, on the pull request's head.
    offer("post", `/repos/${repository}/check-runs`, false).reply(201, { id: 9400 }).persist();
    offer("patch", `/repos/${repository}/check-runs/9400`, false).reply(200, { id: 9400 }).persist();
  }

  async function recorded() {
    const recordedRuns = await env.database.db.select().from(runs);
    const recordedActions = await env.database.db.select().from(actions);
    const on = (repo: string) => recordedActions.filter((a) => a.repository.toLowerCase() === repo.toLowerCase()).length;
    return { runs: recordedRuns.length, commented: on(repository), target: on(TARGET), actions: recordedActions.length };
  }

  /**
   * For a comment that must start nothing: whatever it did start counts as unauthorized, then it
   * must have recorded nothing and asked GitHub for nothing, not even a token.
   */
  async function expectNothingStarted() {
    const found = await recorded();
    figure.runs += found.runs;
    figure.actions += found.actions;
    figure.unauthorizedRuns += found.runs;
    figure.unauthorizedActions += found.actions;
    expect(found).toEqual({ runs: 0, commented: 0, target: 0, actions: 0 });
    expect(asked).toEqual([]);
    env.expectGitHubSawExactlyTheMocks();
  }

  it.each(matrix)("$commented on the commented repository, $target on the target: actions only where both allow writing", async ({ commented, target }) => {
    figure.cases++;
    const runExpected = mayWrite(commented);
    const targetExpected = runExpected && mayWrite(target);
    mockToken();
    offerPermission(repository, commented, true);
    // Asked only once the commented repository allows it; offered anyway.
    offerPermission(TARGET, target, runExpected);
    offerWhatARunNeeds({ runExpected, targetExpected });
    const replies = runExpected && targetExpected ? [] : captureReplies();

    await env.comment("/automation run matrix");
    await env.app.background.reporter.drain();

    const found = await recorded();
    figure.runs += found.runs;
    figure.actions += found.actions;
    if (!runExpected) figure.unauthorizedRuns += found.runs;
    figure.unauthorizedActions += (runExpected ? 0 : found.commented) + (targetExpected ? 0 : found.target);

    // The answer that decided was asked of GitHub, whatever the comment's author_association says.
    expect(asked).toContain(`GET /repos/${repository}/collaborators/${author}/permission`);
    expect(found).toEqual({
      runs: runExpected ? 1 : 0,
      commented: runExpected ? 1 : 0,
      target: targetExpected ? 1 : 0,
      actions: (runExpected ? 1 : 0) + (targetExpected ? 1 : 0),
    });
    // Refused where the commenter is judged: nothing of the run was read past that point.
    if (!runExpected) expect(asked).toEqual([`GET /repos/${repository}/collaborators/${author}/permission`]);
    else if (!targetExpected) expect(asked).not.toContain(`GET /repos/${TARGET}/branches/main`);
    if (!runExpected) {
      expect(replies).toEqual([expect.stringContaining(`@${author} needs write access to ${repository} to run automations here (has: ${levels[commented].permission})`)]);
    } else if (!targetExpected) {
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain("Started `matrix` on 1 target");
      expect(replies[0]).toContain(`\`${TARGET}\`: ${author} cannot write to it (permission: ${levels[target].permission})`);
    }
    env.expectGitHubSawExactlyTheMocks();
  });

  /** A commenter with every permission, so only who sent it or what happened to it can stop a run. */
  function offerEverything() {
    offer("post", `/app/installations/${installationId}/access_tokens`, false).reply(201, installationTokenResponse(EXAMPLE_TOKEN));
    offerPermission(repository, "admin", false);
    offerPermission(TARGET, "admin", false);
    offerWhatARunNeeds({ runExpected: false, targetExpected: false });
    offer("post", `/repos/${repository}/issues/${issueNumber}/comments`, false).reply(201, { id: 9001 });
  }

  it("starts nothing for a bot, even one whose account has every permission, and says nothing", async () => {
    figure.cases++;
    offerEverything();
    await env.comment("/automation run matrix", {
      adjust: (payload) => {
        payload.sender = { ...payload.sender, login: "helper[bot]", type: "Bot" };
        payload.comment.user = { ...payload.comment.user, login: "helper[bot]", type: "Bot" };
        payload.comment.author_association = "OWNER";
      },
    });
    // Not even the installation token is asked for: a bot's comment is dropped before GitHub is.
    await expectNothingStarted();
  });

  it("starts nothing when a command is added to a comment by editing it, and says nothing", async () => {
    figure.cases++;
    offerEverything();
    const payload = pullRequestCommentPayload("Looks good.\n\n/automation run matrix\n");
    payload.action = "edited";
    payload.changes = { body: { from: "Looks good." } };
    const response = await env.app.deliver("issue_comment", payload, randomUUID());
    expect(response.status).toBe(200);
    await expectNothingStarted();
  });
});
