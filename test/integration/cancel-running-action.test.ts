import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { GITHUB_API } from "../helpers/github-api.js";
import { useCommentScenarios } from "../helpers/comment-scenario.js";
import { pullRequestCommentPayload } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";
import { actions, actionSteps } from "../../src/runs/runs.sql.js";
import { ACTION_LABEL } from "../../src/execution/container-labels.js";

const skip = await shouldSkipDockerTests();
const run = promisify(execFile);

// `/automation cancel` on the pull request whose comment started a long step: the whole path,
// from the comment through the database to the worker that kills the container (real Docker, a
// real git server; GitHub's API is nock).

describe.skipIf(skip)("/automation cancel while an action runs (PostgreSQL, Docker)", () => {
  const scenarios = useCommentScenarios();

  it("kills the running container and shows the check as cancelled, by whom", async () => {
    const scenario = await scenarios.start({
      automation: "slow",
      definition: ["description: Takes its time", "container:", `  image: ${TEST_IMAGE}`, "steps:", "  - name: Wait", "    run: sleep 600", ""].join("\n"),
    });
    // The run's summary check, when the reporter keeps one, is not what this test is about.
    nock(GITHUB_API).post(`/repos/${scenario.repository}/check-runs`).optionally().reply(201, { id: 7001 }).persist();

    const [action] = await waitFor("the step to be running", async () => {
      const rows = await scenarios.database.db.select().from(actionSteps).where(eq(actionSteps.status, "running"));
      if (rows.length === 0) return undefined;
      return scenarios.database.db.select().from(actions).where(eq(actions.id, rows[0]!.actionId));
    });
    const payload = pullRequestCommentPayload("/automation cancel");
    const author: string = payload.comment.user.login;
    nock(GITHUB_API)
      .get(`/repos/${scenario.repository}/collaborators/${author}/permission`)
      .reply(200, { permission: "write", role_name: "write", user: { login: author } })
      .post(`/repos/${scenario.repository}/issues/comments/${payload.comment.id}/reactions`, { content: "+1" })
      .reply(201, { id: 2, content: "+1" });

    const response = await scenario.app.deliver("issue_comment", payload, randomUUID());
    expect(response.status).toBe(200);

    const completed = await waitFor("the action's check to be completed", () =>
      scenario!.checkRuns.updated.find((u) => u.external_id === action!.id && u.status === "completed"),
    );
    expect(completed).toMatchObject({ conclusion: "cancelled" });
    const [ended] = await scenarios.database.db.select().from(actions).where(eq(actions.id, action!.id));
    expect(ended).toMatchObject({ status: "stopped", reason: `cancelled by @${author}` });
    const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=${ACTION_LABEL}=${action!.id}`]);
    expect(stdout.trim()).toBe("");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("stops an action whose cancel comes while its changes are being published, before anything is pushed", async () => {
    const repository = "Codertocat/Hello-World";
    const payload = pullRequestCommentPayload("/automation cancel");
    const author: string = payload.comment.user.login;
    // Publishing reads the default branch before it pushes; that answer is held back until the
    // cancel is in, which is the moment tested.
    let cancelled!: () => void;
    const cancelIn = new Promise<void>((resolve) => (cancelled = resolve));
    let reading!: () => void;
    const publishing = new Promise<void>((resolve) => (reading = resolve));
    nock(GITHUB_API)
      .get(`/repos/${repository}`)
      .reply(200, async () => {
        reading();
        await cancelIn;
        return { default_branch: "main" };
      });
    const scenario = await scenarios.start({
      automation: "touch-readme",
      definition: ["description: Appends to the README", "container:", `  image: ${TEST_IMAGE}`, "steps:", "  - name: Edit", "    run: echo x >> README.md", ""].join("\n"),
    });
    nock(GITHUB_API).post(`/repos/${repository}/check-runs`).optionally().reply(201, { id: 7001 }).persist();
    await publishing;

    nock(GITHUB_API)
      .get(`/repos/${repository}/collaborators/${author}/permission`)
      .reply(200, { permission: "write", role_name: "write", user: { login: author } })
      .post(`/repos/${repository}/issues/comments/${payload.comment.id}/reactions`, { content: "+1" })
      .reply(201, { id: 2, content: "+1" });
    expect((await scenario.app.deliver("issue_comment", payload, randomUUID())).status).toBe(200);
    const [action] = await scenarios.database.db.select().from(actions);
    await waitFor("the cancel to be recorded", async () => {
      const [row] = await scenarios.database.db.select().from(actions).where(eq(actions.id, action!.id));
      return row?.cancelRequestedAt !== null;
    });
    cancelled();

    const completed = await scenario.completedCheck();
    expect(completed).toMatchObject({ conclusion: "cancelled" });
    const [ended] = await scenarios.database.db.select().from(actions).where(eq(actions.id, action!.id));
    expect(ended).toMatchObject({ status: "stopped", reason: `cancelled by @${author}`, pullRequestNumber: null });
    // Nothing reached GitHub: no branch pushed, and no pull request asked for (none is mocked).
    expect(await scenario.git.branchHead(repository, "automation/touch-readme")).toBeNull();
    expect(nock.pendingMocks()).toEqual([]);
  });
});
