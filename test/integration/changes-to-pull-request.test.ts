import { readdir } from "node:fs/promises";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { actions } from "../../src/runs/runs.sql.js";
import { useCommentScenarios } from "../helpers/comment-scenario.js";
import { shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { GITHUB_API } from "../helpers/github-api.js";

// nock offers a body matcher the bodies of other requests to the host too (check runs, reactions):
// a body counts only when it has the field that request is known by.
function record(into: Array<Record<string, unknown>>, field: string, body: unknown): boolean {
  if (typeof body !== "object" || body === null || !(field in body)) return false;
  into.push(body as Record<string, unknown>);
  return true;
}

const skip = await shouldSkipDockerTests();

describe.skipIf(skip)("a step that changes the repository (Docker)", () => {
  const scenarios = useCommentScenarios();

  it("gets a pull request with the change committed by the app, linked from the action's check", async () => {
    // The webhook example's repository; its pull request API is mocked before the comment arrives.
    const repository = "Codertocat/Hello-World";
    const created: Array<Record<string, unknown>> = [];
    const labelled: Array<Record<string, unknown>> = [];
    const url = `https://github.com/${repository}/pull/77`;
    nock(GITHUB_API)
      .get(`/repos/${repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${repository}/pulls`)
      .query({ state: "open", head: "Codertocat:automation/touch-readme", per_page: "1" })
      .reply(200, [])
      .post(`/repos/${repository}/pulls`, (body: Record<string, unknown>) => record(created, "head", body))
      .reply(201, { number: 77, html_url: url })
      .post(`/repos/${repository}/issues/77/labels`, (body: Record<string, unknown>) => record(labelled, "labels", body))
      .reply(200, []);

    const scenario = await scenarios.start({
      automation: "touch-readme",
      definition: [
        "description: Appends to the README",
        "container:",
        `  image: ${TEST_IMAGE}`,
        "steps:",
        "  - name: Edit",
        "    run: echo x >> README.md",
        "pull_request:",
        "  title: \"docs: append to the README\"",
        "  draft: true",
        "  labels: [docs]",
      ].join("\n"),
    });
    expect(scenario.repository).toBe(repository);

    const completed = await scenario.completedCheck();

    expect(completed.conclusion).toBe("success");
    expect(completed.output.summary).toContain(`**Pull request:** ${url}`);
    const [action] = await scenarios.database.db.select().from(actions);
    expect(action).toMatchObject({ status: "done", reason: "pull request #77 opened", pullRequestUrl: url, pullRequestNumber: 77 });

    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ title: "docs: append to the README", head: "automation/touch-readme", base: "main", draft: true });
    expect(created[0]!.body).toMatch(/^Appends to the README\n\nOpened by the `touch-readme` automation\.\n\n---\n\nChanges from run `[0-9a-f-]{36}` of the `touch-readme` automation, started by @Codertocat from Codertocat\/Hello-World#\d+\.$/);
    expect(labelled).toEqual([{ labels: ["docs"] }]);
    expect(nock.pendingMocks()).toEqual([]);

    const head = await scenario.git.branchHead(repository, "automation/touch-readme");
    expect(head).not.toBeNull();
    expect(await scenario.git.fileAt(repository, head!, "README.md")).toBe("hello from the repository\nx");
    const commit = await scenario.git.commitInfo(repository, head!);
    expect(commit.author).toMatch(/^automations\[bot\] </);
    expect(commit.parents).toEqual([scenario.headSha]);
    expect(await readdir(scenario.workspaceRoot)).toEqual([]);
  });

  it("ends done with no changes and opens nothing when the steps change no file", async () => {
    const scenario = await scenarios.start({
      automation: "look-only",
      definition: ["container:", `  image: ${TEST_IMAGE}`, "steps:", "  - name: Look", "    run: cat README.md > /dev/null"].join("\n"),
    });

    const completed = await scenario.completedCheck();

    expect(completed.conclusion).toBe("success");
    expect(completed.output.summary).toContain("no changes");
    expect(completed.output.summary).not.toContain("Pull request:");
    const [action] = await scenarios.database.db.select().from(actions);
    expect(action).toMatchObject({ status: "done", reason: "no changes", pullRequestUrl: null, pullRequestNumber: null });
    expect(scenario.git.requests.some((r) => r.path.endsWith("git-receive-pack"))).toBe(false);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
