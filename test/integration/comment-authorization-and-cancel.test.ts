import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { useWebhookOnlyApp } from "../helpers/webhook-only-app.js";
import { GITHUB_API, recordEveryCheckCreate } from "../helpers/github-api.js";
import { captureReplies, definitionFile, example, mockDefinition, mockToken } from "../helpers/example-comment.js";
import { pullRequestCommentPayload } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";
import { parseDefinition } from "../../src/automations/parse-definition.js";
import { actions, runs } from "../../src/runs/runs.sql.js";
import { deriveRunStatus, type ActionStatus } from "../../src/runs/statuses.js";
import type { RunTrigger } from "../../src/runs/run-trigger.js";

// Who may start and cancel work from a comment, and what `/automation cancel` does to the runs
// started from the pull request. No worker runs: a running action is one seeded as running, and
// its cancel is the request its worker would act on.

const VALID_DEFINITION = ["description: Says hello", "container:", "  image: busybox", "steps:", "  - name: Greet", "    run: echo hi", ""].join("\n");
const HEAD_SHA = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const { repository, owner, installationId, issueNumber, commentId, author } = example;
const repositoryId = pullRequestCommentPayload("").repository.id as number;

describe("authorization of comment commands, and /automation cancel (PostgreSQL, GitHub mocked)", () => {
  const env = useWebhookOnlyApp("authorization");
  const { comment, expectGitHubSawExactlyTheMocks } = env;

  function mockCollaborator(answer: { permission: string; role_name: string } | "not a collaborator") {
    const scope = nock(GITHUB_API).get(`/repos/${repository}/collaborators/${author}/permission`);
    if (answer === "not a collaborator") scope.reply(404, { message: "Not Found" });
    else scope.reply(200, { ...answer, user: { login: author } });
  }

  function mockReaction(content: string) {
    nock(GITHUB_API).post(`/repos/${repository}/issues/comments/${commentId}/reactions`, { content }).reply(201, { id: 1, content });
  }

  /** Check runs the reporter creates on the pull request's head, recorded in order. */
  const recordChecks = () => recordEveryCheckCreate(repository, 9300);

  const commenterWith = (association: string) => (payload: Record<string, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    payload.comment.author_association = association;
  };

  // GitHub's collaborator permission API gives `permission` (admin, write, read, none) and the
  // finer `role_name`; maintain reads as write and triage as read. author_association is set to
  // values that would suggest access, to show it is never what decides.
  const matrix = [
    { who: "an admin", answer: { permission: "admin", role_name: "admin" }, association: "OWNER", allowed: true },
    { who: "a maintainer", answer: { permission: "write", role_name: "maintain" }, association: "MEMBER", allowed: true },
    { who: "a writer", answer: { permission: "write", role_name: "write" }, association: "COLLABORATOR", allowed: true },
    { who: "a triager", answer: { permission: "read", role_name: "triage" }, association: "MEMBER", allowed: false, has: "read" },
    { who: "a reader", answer: { permission: "read", role_name: "read" }, association: "COLLABORATOR", allowed: false, has: "read" },
    { who: "an organisation member without access", answer: { permission: "none", role_name: "none" }, association: "OWNER", allowed: false, has: "none" },
    { who: "a fork's pull request author", answer: "not a collaborator" as const, association: "CONTRIBUTOR", allowed: false, has: "none" },
  ];

  it.each(matrix)("/automation run from $who (author_association $association): started only with write access", async (row) => {
    mockToken();
    mockCollaborator(row.answer);
    let replies: string[] = [];
    let created: Array<Record<string, unknown>> = [];
    if (row.allowed) {
      mockDefinition("hello", VALID_DEFINITION);
      nock(GITHUB_API).get(`/repos/${repository}/pulls/${issueNumber}`).reply(200, { number: issueNumber, head: { sha: HEAD_SHA, ref: "feature" } });
      mockReaction("rocket");
      created = recordChecks();
    } else {
      replies = captureReplies();
    }

    await comment("/automation run hello", { adjust: commenterWith(row.association) });

    const recorded = await env.database.db.select().from(runs);
    if (row.allowed) {
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ automation: "hello", trigger: { kind: "comment", sender: author } });
      await waitFor("the run's check", () => created.some((c) => c.status === "queued"));
    } else {
      expect(recorded).toEqual([]);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain(`@${author} needs write access to ${repository}`);
      expect(replies[0]).toContain(`(has: ${row.has})`);
    }
    expectGitHubSawExactlyTheMocks();
  });

  it("ignores commands from bots, the app itself included, without calling GitHub", async () => {
    await comment("/automation run hello", {
      adjust: (payload) => {
        payload.sender = { ...payload.sender, login: "automations[bot]", type: "Bot" };
        payload.comment.user = { ...payload.comment.user, login: "automations[bot]", type: "Bot" };
        payload.comment.author_association = "OWNER";
      },
    });
    await comment("/automation cancel", {
      adjust: (payload) => {
        payload.sender = { ...payload.sender, login: "dependabot[bot]", type: "Bot" };
        payload.comment.user = { ...payload.comment.user, login: "dependabot[bot]", type: "Bot" };
      },
    });

    expect(await env.database.db.select().from(runs)).toEqual([]);
    expectGitHubSawExactlyTheMocks();
  });

  it("ignores a command added by editing a comment, and a deleted comment", async () => {
    for (const action of ["edited", "deleted"]) {
      const payload = pullRequestCommentPayload("/automation run hello");
      payload.action = action;
      const response = await env.app.deliver("issue_comment", payload, randomUUID());
      expect(response.status).toBe(200);
    }

    expect(await env.database.db.select().from(runs)).toEqual([]);
    expectGitHubSawExactlyTheMocks();
  });

  it("answers /automation help with every command, what it does, and an example", async () => {
    mockToken();
    const replies = captureReplies();

    await comment("/automation help");

    expect(replies).toHaveLength(1);
    for (const syntax of ["/automation run <name> [owner/repo …]", "/automation plan <name>", "/automation cancel [<name>]", "/automation list", "/automation help"]) {
      expect(replies[0]).toContain(syntax);
    }
    expect(replies[0]).toContain("/automation run upgrade-node acme/api acme/web");
    expectGitHubSawExactlyTheMocks();
  });

  describe("/automation cancel", () => {
    let sequence = 0;

    /** A run as a comment on `issue` (or a re-run of `rerunOf`) left it, its actions in these states. */
    async function seedRun(automation: string, statuses: ActionStatus[], options: { issue?: number; rerunOf?: string } = {}) {
      const parsed = parseDefinition(VALID_DEFINITION, definitionFile(automation));
      if (!parsed.ok) throw new Error("the seeded definition is valid");
      const trigger: RunTrigger = options.rerunOf
        ? { kind: "check-rerun", checkRunId: 77, sender: author }
        : { kind: "comment", commentId: 1, issueNumber: options.issue ?? issueNumber, isPullRequest: true, sender: author };
      const [run] = await env.database.db
        .insert(runs)
        .values({
          automation,
          installationId,
          repository,
          repositoryId,
          headSha: HEAD_SHA,
          trigger,
          deliveryId: randomUUID(),
          definition: parsed.definition,
          definitionSource: VALID_DEFINITION,
          definitionPath: definitionFile(automation),
          definitionSha: "0000000000000000000000000000000000000000",
          definitionRepository: repository,
          status: deriveRunStatus(statuses),
          rerunOf: options.rerunOf ?? null,
          createdAt: new Date(Date.now() + sequence++),
        })
        .returning();
      await env.database.db.insert(actions).values(
        statuses.map((status, position) => ({
          runId: run!.id,
          position,
          repository: `${owner}/repo-${position}`,
          repositoryId: 200 + position,
          cloneUrl: `https://github.com/${owner}/repo-${position}.git`,
          ref: HEAD_SHA,
          status,
          ...(status === "running" ? { claimedBy: "worker-1", attempts: 1, startedAt: new Date(), leaseExpiresAt: new Date(Date.now() + 60_000) } : {}),
          ...(status === "done" ? { startedAt: new Date(), finishedAt: new Date() } : {}),
        })),
      );
      return run!;
    }

    async function actionsOf(runId: string) {
      return env.database.db.select().from(actions).where(eq(actions.runId, runId)).orderBy(asc(actions.position));
    }

    it("stops the pending actions of the runs started from this pull request and asks running ones to stop", async () => {
      const started = await seedRun("hello", ["pending", "running", "done"]);
      const rerun = await seedRun("hello", ["pending"], { rerunOf: started.id });
      const otherPullRequest = await seedRun("hello", ["pending"], { issue: issueNumber + 1 });
      mockToken();
      mockCollaborator({ permission: "write", role_name: "write" });
      mockReaction("+1");
      const created = recordChecks();

      await comment("/automation cancel");

      const [pending, running, done] = await actionsOf(started.id);
      expect(pending).toMatchObject({ status: "stopped", reason: `cancelled by @${author} before it started`, startedAt: null });
      // The worker holding it kills the container when it sees the request.
      expect(running).toMatchObject({ status: "running", reason: `cancelled by @${author}` });
      expect(running!.cancelRequestedAt).toBeInstanceOf(Date);
      expect(done).toMatchObject({ status: "done", cancelRequestedAt: null });
      expect((await actionsOf(rerun.id))[0]).toMatchObject({ status: "stopped" });
      expect((await actionsOf(otherPullRequest.id))[0]).toMatchObject({ status: "pending", cancelRequestedAt: null });
      const [startedAfter] = await env.database.db.select().from(runs).where(eq(runs.id, started.id));
      expect(startedAfter).toMatchObject({ cancelledBy: author });

      // The actions that never started show as skipped checks.
      const stoppedIds = [pending!.id, (await actionsOf(rerun.id))[0]!.id];
      await waitFor("the skipped checks", () => stoppedIds.every((id) => created.some((c) => c.external_id === id && c.status === "completed")));
      for (const id of stoppedIds) {
        expect(created.find((c) => c.external_id === id && c.status === "completed")).toMatchObject({ conclusion: "skipped" });
      }
      expectGitHubSawExactlyTheMocks();
    });

    it("cancels only the named automation's runs with /automation cancel <name>", async () => {
      const hello = await seedRun("hello", ["pending"]);
      const lint = await seedRun("lint", ["pending"]);
      mockToken();
      mockCollaborator({ permission: "admin", role_name: "admin" });
      mockReaction("+1");
      recordChecks();

      await comment("/automation cancel lint");

      expect((await actionsOf(lint.id))[0]).toMatchObject({ status: "stopped" });
      expect((await actionsOf(hello.id))[0]).toMatchObject({ status: "pending" });
      await env.app.background.reporter.drain();
      expectGitHubSawExactlyTheMocks();
    });

    it("says so when nothing started from this pull request is active", async () => {
      await seedRun("hello", ["done"]);
      await seedRun("hello", ["pending"], { issue: issueNumber + 1 });
      mockToken();
      mockCollaborator({ permission: "write", role_name: "write" });
      const replies = captureReplies();

      await comment("/automation cancel");

      expect(replies).toEqual(["There are no active runs started from this pull request, so nothing was cancelled."]);
      expectGitHubSawExactlyTheMocks();
    });

    it("says the runs are already being stopped when cancel is asked again before their containers are gone", async () => {
      const run = await seedRun("hello", ["running"]);
      await env.database.db.update(actions).set({ cancelRequestedAt: new Date(), reason: `cancelled by @${author}` }).where(eq(actions.runId, run.id));
      mockToken();
      mockCollaborator({ permission: "write", role_name: "write" });
      const replies = captureReplies();

      await comment("/automation cancel");

      expect(replies).toEqual(["The active run was already cancelled; its running actions are being stopped."]);
      expectGitHubSawExactlyTheMocks();
    });

    it("refuses a commenter without write access, saying why, and cancels nothing", async () => {
      const run = await seedRun("hello", ["pending", "running"]);
      mockToken();
      mockCollaborator({ permission: "read", role_name: "triage" });
      const replies = captureReplies();

      await comment("/automation cancel", { adjust: commenterWith("MEMBER") });

      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain(`@${author} needs write access to ${repository} to cancel runs here (has: read)`);
      const [pending, running] = await actionsOf(run.id);
      expect(pending).toMatchObject({ status: "pending" });
      expect(running).toMatchObject({ status: "running", cancelRequestedAt: null });
      expectGitHubSawExactlyTheMocks();
    });
  });
});
