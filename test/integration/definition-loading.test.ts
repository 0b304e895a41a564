import { describe, expect, it } from "vitest";
import nock from "nock";
import { useWebhookOnlyApp } from "../helpers/webhook-only-app.js";
import { contentsResponse, GITHUB_API, recordCheckRuns } from "../helpers/github-api.js";
import { captureReplies, contentsPath, definitionFile, example, mockDefinition, mockPermission, mockToken } from "../helpers/example-comment.js";
import { waitFor } from "../helpers/wait-for.js";
import { actions, runs } from "../../src/runs/runs.sql.js";

// Where a definition is read from (the repository's default branch, else the organisation's
// `.github` repository; never a pull request's head), and how an invalid one is reported: a reply
// on the comment and a failed check run annotated on the line. No worker runs
// (workerConcurrency 0); GitHub is nock only, and a request no mock answers fails the test.

const HEAD_SHA = "feedface00feedface00feedface00feedface00";
const HEAD_REF = "update-definition";

const { repository, owner, issueNumber, commentId } = example;
const orgRepository = `${owner}/.github`;

const definition = (description: string) =>
  [`description: ${description}`, "container:", "  image: busybox", "steps:", "  - name: Greet", "    run: echo hi", ""].join("\n");

describe("where definitions are read from, and how an invalid one is reported (PostgreSQL, GitHub mocked)", () => {
  const env = useWebhookOnlyApp("definitions");
  const { comment, expectGitHubSawExactlyTheMocks } = env;

  /** The installation token and the commenter's write permission. */
  function mockAccess() {
    mockToken();
    mockPermission("write");
  }

  function mockPullRequestHead() {
    nock(GITHUB_API)
      .get(`/repos/${repository}/pulls/${issueNumber}`)
      .reply(200, { number: issueNumber, head: { sha: HEAD_SHA, ref: HEAD_REF } });
  }

  function mockNoOwnDefinition(name: string) {
    nock(GITHUB_API).get(contentsPath(repository, name)).query({ ref: example.defaultBranch }).reply(404, { message: "Not Found" });
  }

  /** The organisation's definition, on its `.github` repository's default branch (no ref). */
  function mockOrgDefinition(name: string, source: string) {
    return nock(GITHUB_API).get(contentsPath(orgRepository, name)).reply(200, contentsResponse(definitionFile(name), source));
  }

  /** A started run: the rocket on the comment and the queued check the reporter creates. */
  function mockRunStarted() {
    nock(GITHUB_API)
      .post(`/repos/${repository}/issues/comments/${commentId}/reactions`, { content: "rocket" })
      .reply(201, { id: 1, content: "rocket" });
    return recordCheckRuns(repository, 7301, { updates: false });
  }

  /** Lets the reporter create the queued check; no worker runs, so nothing updates it. */
  async function settleQueuedCheck(checkRuns: ReturnType<typeof recordCheckRuns>) {
    await waitFor("the queued check run", () => checkRuns.created.length > 0);
    await env.app.background.reporter.drain();
    expect(checkRuns.created).toHaveLength(1);
  }

  function captureCheckRun(status = 201): Array<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const bodies: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    nock(GITHUB_API)
      .post(`/repos/${repository}/check-runs`, (body: Record<string, unknown>) => {
        bodies.push(body);
        return true;
      })
      .reply(status, status === 201 ? { id: 7401 } : { message: "Server Error" });
    return bodies;
  }

  it("runs the organisation's definition when the repository has none", async () => {
    mockAccess();
    mockNoOwnDefinition("shared");
    const orgSource = definition("From the organisation");
    mockOrgDefinition("shared", orgSource);
    mockPullRequestHead();
    const checkRuns = mockRunStarted();

    await comment("/automation run shared");

    await settleQueuedCheck(checkRuns);
    const [run, ...others] = await env.database.db.select().from(runs);
    expect(others).toEqual([]);
    expect(run).toMatchObject({
      automation: "shared",
      repository,
      headSha: HEAD_SHA,
      definitionRepository: orgRepository,
      definitionPath: definitionFile("shared"),
      definitionSource: orgSource,
    });
    expect(run?.definition.description).toBe("From the organisation");
    expect(await env.database.db.select().from(actions)).toMatchObject([{ repository, ref: HEAD_SHA }]);
    expectGitHubSawExactlyTheMocks();
  });

  it("prefers the repository's own definition and never asks for the organisation's", async () => {
    mockAccess();
    const ownSource = definition("The repository's own");
    mockDefinition("hello", ownSource);
    const orgFile = mockOrgDefinition("hello", definition("From the organisation"));
    mockPullRequestHead();
    const checkRuns = mockRunStarted();

    await comment("/automation run hello");

    await settleQueuedCheck(checkRuns);
    expect(orgFile.isDone()).toBe(false);
    expect(await env.database.db.select().from(runs)).toMatchObject([{ definitionRepository: repository, definitionSource: ownSource }]);
    nock.removeInterceptor({ proto: "https", hostname: "api.github.com", path: contentsPath(orgRepository, "hello"), method: "GET" });
    expectGitHubSawExactlyTheMocks();
  });

  it("runs the default branch's definition when the pull request edits it", async () => {
    mockAccess();
    const defaultSource = definition("As on the default branch");
    mockDefinition("hello", defaultSource);
    // What the pull request changed the file to: served for its head, and never to be asked for.
    const edited = `${definition("As the pull request wants it")}  - name: Exfiltrate\n    run: env\n`;
    const headReads = [HEAD_REF, HEAD_SHA].map((ref) =>
      nock(GITHUB_API).get(contentsPath(repository, "hello")).query({ ref }).reply(200, contentsResponse(definitionFile("hello"), edited)),
    );
    mockPullRequestHead();
    const checkRuns = mockRunStarted();

    await comment("/automation run hello");

    await settleQueuedCheck(checkRuns);
    expect(headReads.map((scope) => scope.isDone())).toEqual([false, false]);
    const [run] = await env.database.db.select().from(runs);
    expect(run?.definitionSource).toBe(defaultSource);
    expect(run?.definition.steps.map((s) => s.name)).toEqual(["Greet"]);
    // The run executes on the pull request's head; only what it runs comes from the default branch.
    expect(run?.headSha).toBe(HEAD_SHA);
    nock.cleanAll();
    expect(env.unmatched).toEqual([]);
  });

  it("reports an invalid definition in a reply and as a failed check annotated on the line", async () => {
    mockAccess();
    // Line 4, column 12: the value of `timeout`.
    mockDefinition("typo", ["description: Has a typo", "container:", "  image: busybox", "  timeout: 30x", "steps:", "  - name: Greet", "    run: echo hi", ""].join("\n"));
    mockPullRequestHead();
    const checks = captureCheckRun();
    const replies = captureReplies();

    await comment("/automation run typo");

    expectGitHubSawExactlyTheMocks();
    const message = 'container.timeout: "30x" is not a duration (use e.g. 30s, 30m, 1h30m)';
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Automation `typo` was not started: its definition is not valid.");
    expect(replies[0]).toContain(`\n.github/automations/typo.yml:4:12: ${message}\n`);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      name: "automation: typo",
      head_sha: HEAD_SHA,
      status: "completed",
      conclusion: "failure",
      output: {
        title: "Invalid definition: 1 error",
        annotations: [
          {
            path: ".github/automations/typo.yml",
            start_line: 4,
            end_line: 4,
            start_column: 12,
            end_column: 12,
            annotation_level: "failure",
            message,
          },
        ],
      },
    });
    expect(checks[0]?.output.summary).toContain(`.github/automations/typo.yml:4:12: ${message}`);
    expect(await env.database.db.select().from(runs)).toEqual([]);
  });

  it("names the organisation's repository in the errors of its invalid definition", async () => {
    mockAccess();
    mockNoOwnDefinition("shared");
    mockOrgDefinition("shared", ["description: No image", "container:", "  network: none", "steps:", "  - name: a", "    run: b", ""].join("\n"));
    mockPullRequestHead();
    const checks = captureCheckRun();
    const replies = captureReplies();

    await comment("/automation run shared");

    expectGitHubSawExactlyTheMocks();
    expect(replies[0]).toContain(`\n${orgRepository}:.github/automations/shared.yml:2:1: container.image is required\n`);
    expect(replies[0]).toContain(`Fix the file on the default branch of \`${orgRepository}\``);
    // The file is not in the checked repository, so there is no line of it to annotate.
    expect(checks[0]).toMatchObject({ conclusion: "failure", output: { annotations: [] } });
    expect(checks[0]?.output.summary).toContain(`${orgRepository}:.github/automations/shared.yml:2:1: container.image is required`);
  });

  it("still replies when the check run cannot be created", async () => {
    mockAccess();
    mockDefinition("typo", "container:\n  image: busybox\n  timeout: 30x\nsteps:\n  - { name: a, run: b }\n");
    mockPullRequestHead();
    const checks = captureCheckRun(500);
    const replies = captureReplies();

    await comment("/automation run typo");

    expectGitHubSawExactlyTheMocks();
    expect(checks).toHaveLength(1);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(".github/automations/typo.yml:3:12: container.timeout");
  });
});
