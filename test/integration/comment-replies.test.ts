import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import nock from "nock";
import { useWebhookOnlyApp } from "../helpers/webhook-only-app.js";
import { GITHUB_API, recordCheckRuns } from "../helpers/github-api.js";
import { captureReplies, contentsPath, example, mockDefinition, mockPermission, mockToken } from "../helpers/example-comment.js";
import { waitFor } from "../helpers/wait-for.js";
import { actions, runs } from "../../src/runs/runs.sql.js";
import { checkOutbox } from "../../src/reporting/outbox.sql.js";
import { webhookDeliveries } from "../../src/ingress/deliveries.sql.js";
import { eq } from "drizzle-orm";

// What a commenter sees when a command cannot start anything, and that nothing is then started.
// No worker runs (workerConcurrency 0), so no container engine is needed; GitHub is nock only, and
// any request to it that no mock answers is recorded and fails the test.

const VALID_DEFINITION = ["description: Says hello", "container:", "  image: busybox", "steps:", "  - name: Greet", "    run: echo hi", ""].join("\n");

const { repository, owner, defaultBranch, issueNumber, commentId } = example;

describe("replies to /automation comments (PostgreSQL, GitHub mocked)", () => {
  const env = useWebhookOnlyApp("replies");
  const { comment, expectGitHubSawExactlyTheMocks } = env;

  /** An invalid definition is also reported as a failed check run on the pull request's head. */
  function mockInvalidDefinitionCheck() {
    nock(GITHUB_API)
      .get(`/repos/${repository}/pulls/${issueNumber}`)
      .reply(200, { number: issueNumber, head: { sha: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00", ref: "feature" } })
      .post(`/repos/${repository}/check-runs`)
      .reply(201, { id: 7201 });
  }

  async function expectNothingRecorded() {
    expect(await env.database.db.select().from(runs)).toEqual([]);
    expect(await env.database.db.select().from(actions)).toEqual([]);
    expect(await env.database.db.select().from(checkOutbox)).toEqual([]);
  }

  it("names both places it looked when there is no automation of that name", async () => {
    mockToken();
    mockPermission("write");
    nock(GITHUB_API).get(contentsPath(repository, "nope")).query({ ref: defaultBranch }).reply(404, { message: "Not Found" });
    nock(GITHUB_API).get(contentsPath(`${owner}/.github`, "nope")).reply(404, { message: "Not Found" });
    const replies = captureReplies();

    await comment("/automation run nope");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("There is no automation named `nope`");
    expect(replies[0]).toContain(`${repository}:.github/automations/nope.yml (branch ${defaultBranch})`);
    expect(replies[0]).toContain(`${owner}/.github:.github/automations/nope.yml (default branch)`);
    await expectNothingRecorded();
  });

  it("points at the line and column of a YAML syntax error", async () => {
    mockToken();
    mockPermission("write");
    // The fifth line's list item is indented one column further than the first.
    mockDefinition("broken", ["container:", "  image: busybox", "steps:", "- name: a", "  run: b", " - name: c", ""].join("\n"));
    mockInvalidDefinitionCheck();
    const replies = captureReplies();

    await comment("/automation run broken");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Automation `broken` was not started: its definition is not valid.");
    expect(replies[0]).toContain(".github/automations/broken.yml:6:2: invalid YAML: All sequence items must start at the same column");
    await expectNothingRecorded();
  });

  it("names a missing container.image with the file, line and column", async () => {
    mockToken();
    mockPermission("write");
    mockDefinition("noimage", ["description: No image", "container:", "  network: none", "steps:", "  - name: a", "    run: b", ""].join("\n"));
    mockInvalidDefinitionCheck();
    const replies = captureReplies();

    await comment("/automation run noimage");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(".github/automations/noimage.yml:2:1: container.image is required");
    await expectNothingRecorded();
  });

  it("says a disabled automation cannot be started", async () => {
    mockToken();
    mockPermission("write");
    mockDefinition("off", `enabled: false\n${VALID_DEFINITION}`);
    const replies = captureReplies();

    await comment("/automation run off");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Automation `off` is disabled");
    expect(replies[0]).toContain(`\`enabled: false\` in \`${repository}:.github/automations/off.yml\``);
    await expectNothingRecorded();
  });

  it("does not start an automation whose comment trigger is off", async () => {
    mockToken();
    mockPermission("write");
    mockDefinition("quiet", `on:\n  comment: false\n${VALID_DEFINITION}`);
    const replies = captureReplies();

    await comment("/automation run quiet");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Automation `quiet` does not start from comments");
    expect(replies[0]).toContain(`\`on.comment: false\` in \`${repository}:.github/automations/quiet.yml\``);
    await expectNothingRecorded();
  });

  it("refuses a commenter without write access and never reads the definition", async () => {
    mockToken();
    mockPermission("read");
    const replies = captureReplies();

    await comment("/automation run hello");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`needs write access to ${repository}`);
    expect(replies[0]).toContain("(has: read)");
    await expectNothingRecorded();
  });

  it("ignores a command from a bot without calling GitHub", async () => {
    await comment("/automation run hello", {
      adjust: (payload) => {
        payload.sender.type = "Bot";
        payload.comment.user.type = "Bot";
      },
    });

    expectGitHubSawExactlyTheMocks();
    await expectNothingRecorded();
  });

  it("ignores comments without a command line, and commands inside code blocks or quotes", async () => {
    await comment("Looks good to me. Let's run the automation later.");
    await comment("To start it, comment:\n\n```\n/automation run hello\n```\n");
    await comment("~~~text\n/automation run hello\n~~~");
    await comment("> /automation run hello\n\nWhy did this not start?");
    await comment(">/automation run hello\n>/automation help\n\nQuoted without a space.");
    await comment("    /automation run hello");

    expectGitHubSawExactlyTheMocks();
    await expectNothingRecorded();
  });

  it("answers /automation help with the usage", async () => {
    mockToken();
    const replies = captureReplies();

    await comment("/automation help");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("/automation run <name>");
    expect(replies[0]).toContain("/automation help");
    await expectNothingRecorded();
  });

  it("answers a comment once GitHub takes replies again, when no reply could be posted at first", async () => {
    mockToken();
    nock(GITHUB_API).post(`/repos/${repository}/issues/${issueNumber}/comments`).reply(502, { message: "Server Error" });
    const replies = captureReplies();
    const deliveryId = randomUUID();

    await comment("/automation help", { deliveryId });
    // Handled again after its backoff, not dropped.
    await waitFor("the comment handled again", async () => {
      const [row] = await env.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      return row?.status === "done";
    }, 15_000);

    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("/automation run <name>");
    expectGitHubSawExactlyTheMocks();
  });

  it("does not try again when GitHub refuses the reply for good", async () => {
    mockToken();
    nock(GITHUB_API).post(`/repos/${repository}/issues/${issueNumber}/comments`).reply(403, { message: "Issue is locked" });
    const deliveryId = randomUUID();

    await comment("/automation help", { deliveryId });

    const [row] = await env.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    expect(row).toMatchObject({ status: "done", attempts: 1, lastError: null });
    expectGitHubSawExactlyTheMocks();
  });

  it("answers an unknown verb with a usage hint", async () => {
    mockToken();
    const replies = captureReplies();

    await comment("/automation frobnicate");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("`/automation frobnicate` is not a command I know.");
    expect(replies[0]).toContain("/automation run <name>");
    await expectNothingRecorded();
  });

  it("records one run when the same delivery arrives twice", async () => {
    const headSha = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
    mockToken();
    mockPermission("write");
    mockDefinition("hello", VALID_DEFINITION);
    nock(GITHUB_API)
      .get(`/repos/${repository}/pulls/${issueNumber}`)
      .reply(200, { number: issueNumber, head: { sha: headSha, ref: "feature" } });
    // The second delivery is recognised when it arrives and never handled: one set of calls.
    nock(GITHUB_API).post(`/repos/${repository}/issues/comments/${commentId}/reactions`, { content: "rocket" }).reply(201, { id: 1, content: "rocket" });
    const checkRuns = recordCheckRuns(repository, 7101, { updates: false });

    const deliveryId = randomUUID();
    await comment("/automation run hello", { deliveryId });
    await comment("/automation run hello", { deliveryId });

    await waitFor("the queued check run", () => checkRuns.created.length > 0);
    const recorded = await env.database.db.select().from(runs);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ automation: "hello", deliveryId, commandIndex: 0, headSha, status: "pending" });
    expect(await env.database.db.select().from(actions)).toHaveLength(1);
    // One queued check for the action, one for the run's summary.
    expect(await env.database.db.select().from(checkOutbox)).toHaveLength(2);
    // Let the reporter settle: a second check run would be a duplicate on the pull request.
    await env.app.background.reporter.drain();
    expect(checkRuns.created).toHaveLength(1);
    expect(checkRuns.created[0]).toMatchObject({ head_sha: headSha, status: "queued" });
    expect(checkRuns.summary.created).toMatchObject([{ name: "automation: hello", head_sha: headSha, status: "queued" }]);
    // No worker runs, so the check is never updated.
    expect(checkRuns.updated).toEqual([]);
    expectGitHubSawExactlyTheMocks();
  });

  it("asks to try again when GitHub fails while the definition is read", async () => {
    mockToken();
    mockPermission("write");
    nock(GITHUB_API).get(contentsPath(repository, "hello")).query({ ref: defaultBranch }).reply(502, { message: "Bad Gateway" });
    const replies = captureReplies();

    await comment("/automation run hello");

    expectGitHubSawExactlyTheMocks();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Could not read the definition of `hello` (GitHub answered 502)");
    expect(replies[0]).toContain("Nothing was started; please try again");
    await expectNothingRecorded();
  });
});
