import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, APP_ID, type AppHarness } from "../helpers/app-harness.js";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { ensureTestImage, shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { contentsResponse, GITHUB_API, installationTokenResponse, isolateGitHub, recordCheckRuns, restoreNetwork } from "../helpers/github-api.js";
import { ThreadedDockerRuntime } from "../helpers/threaded-docker-runtime.js";
import { waitFor } from "../helpers/wait-for.js";
import { examplePayload, pullRequestCommentPayload } from "../helpers/webhooks.js";
import { actions, runs } from "../../src/runs/runs.sql.js";

const skip = await shouldSkipDockerTests();

// A pull request that edits `.github/automations/<name>.yml` cannot choose what runs with the
// app's credentials (DESIGN.md §3). definition-loading.test.ts shows which file a command reads;
// this runs the whole way: the pull request's head, with its edited definition in it, is cloned
// and worked on, yet the steps that run, first from the comment and again from the check's
// Re-run button, are the default branch's. The contents API answers any ref it is asked for, the
// head's with the edited file, so reading the head would run the edited steps and show.

const TOKEN = "ghs_definitionsFromHeadsToken0123456789";
const NAME = "guarded";
const PATH = `.github/automations/${NAME}.yml`;
const HEAD_BRANCH = "edit-the-automation";

const DEFAULT_SOURCE = [
  "description: As merged on the default branch",
  "container:",
  `  image: ${TEST_IMAGE}`,
  "  network: none",
  "steps:",
  "  - name: Reviewed step",
  "    run: |",
  "      echo \"ran the default branch's definition\"",
  `      echo "edited file in the checkout: $(grep -c PULL-REQUEST-MARKER ${PATH})"`,
  "",
].join("\n");

const HEAD_SOURCE = [
  "description: As the pull request would have it # PULL-REQUEST-MARKER",
  "container:",
  `  image: ${TEST_IMAGE}`,
  "steps:",
  "  - name: Unreviewed step",
  "    run: echo \"ran the pull request's definition\"",
  "",
].join("\n");

describe.skipIf(skip)("definitions on a pull request's head (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  let git: GitServer;
  let workspaceRoot: string;
  let runtime: ThreadedDockerRuntime;
  let app: AppHarness;

  beforeAll(async () => {
    await ensureTestImage();
    database = await createPostgresDatabase();
    git = await startGitServer({ token: TOKEN });
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-pr-heads-"));
    isolateGitHub();
    runtime = new ThreadedDockerRuntime();
    app = await startApp({ database, runtime, workspaceRoot });
  });
  afterAll(async () => {
    await app?.stop();
    await runtime?.close();
    restoreNetwork();
    await git?.close();
    await database?.destroy();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  it("runs the default branch's definition from a comment and from Re-run, never the head's", async () => {
    const payload = pullRequestCommentPayload(`/automation run ${NAME}\n`);
    const repository: string = payload.repository.full_name;
    const defaultBranch: string = payload.repository.default_branch;
    const author: string = payload.comment.user.login;
    // The pull request's head: the edited definition is in the commit that is cloned.
    const { cloneUrl, headSha } = await git.createRepo(repository, { "README.md": "hello\n", [PATH]: HEAD_SOURCE });
    payload.repository.clone_url = cloneUrl;

    // Every read of the definition, with the ref it asked for ("" for none: the default branch).
    const refsAsked: string[] = [];
    const contents = nock(GITHUB_API);
    contents.on("request", (request: Request) => refsAsked.push(new URL(request.url).searchParams.get("ref") ?? ""));
    contents
      .get(`/repos/${repository}/contents/${encodeURIComponent(PATH)}`)
      .query((query) => query.ref === undefined || query.ref === defaultBranch)
      .reply(200, contentsResponse(PATH, DEFAULT_SOURCE))
      .persist();
    contents
      .get(`/repos/${repository}/contents/${encodeURIComponent(PATH)}`)
      .query((query) => query.ref !== undefined && query.ref !== defaultBranch)
      .optionally()
      .reply(200, contentsResponse(PATH, HEAD_SOURCE))
      .persist();
    nock(GITHUB_API)
      .post(`/app/installations/${payload.installation.id}/access_tokens`)
      .reply(201, installationTokenResponse(TOKEN))
      .get(`/repos/${repository}/collaborators/${author}/permission`)
      .times(2)
      .reply(200, { permission: "write", role_name: "write", user: { login: author } })
      .get(`/repos/${repository}/pulls/${payload.issue.number}`)
      .reply(200, { number: payload.issue.number, head: { sha: headSha, ref: HEAD_BRANCH } })
      .post(`/repos/${repository}/issues/comments/${payload.comment.id}/reactions`, { content: "rocket" })
      .reply(201, { id: 1, content: "rocket" });

    // From the comment.
    const fromComment = recordCheckRuns(repository, 7701);
    expect((await app.deliver("issue_comment", payload)).status).toBe(200);
    const first = await waitFor("the comment run's check to complete", () => fromComment.updated.find((u) => u.status === "completed"));

    // From the Re-run button on that action's check.
    const [commentRun] = await database.db.select().from(runs);
    const [commentAction] = await database.db.select().from(actions).where(eq(actions.runId, commentRun!.id));
    const rerun = examplePayload("check_run", (p) => p.action === "rerequested");
    rerun.repository = structuredClone(payload.repository);
    rerun.installation = { id: payload.installation.id, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
    rerun.sender = structuredClone(payload.sender);
    rerun.check_run.id = 7701;
    rerun.check_run.external_id = commentAction!.id;
    rerun.check_run.head_sha = headSha;
    rerun.check_run.app.id = APP_ID;
    const fromRerun = recordCheckRuns(repository, 7801);
    expect((await app.deliver("check_run", rerun)).status).toBe(200);
    const second = await waitFor("the re-run's check to complete", () => fromRerun.updated.find((u) => u.status === "completed"));
    await app.background.reporter.drain();

    const recorded = await database.db.select().from(runs);
    const headReads = refsAsked.filter((ref) => ref !== "" && ref !== defaultBranch);
    const ranHead = [first, second].filter((check) => String(check.output.summary).includes("ran the pull request's definition")).length;
    console.info(
      `definitions from pull request heads: ${recorded.length} runs, definition reads: ${refsAsked.length}, ` +
        `reads at the head: ${headReads.length}, runs of the head's steps: ${ranHead}`,
    );

    expect(recorded).toHaveLength(2);
    for (const run of recorded) {
      // Worked on the pull request's code, with the default branch's steps.
      expect(run).toMatchObject({ headSha, definitionSource: DEFAULT_SOURCE, definitionRepository: repository });
      expect(run.definition.steps.map((s) => s.name)).toEqual(["Reviewed step"]);
    }
    expect(refsAsked.length).toBeGreaterThanOrEqual(2);
    expect(headReads).toEqual([]);
    expect(refsAsked).not.toContain(headSha);
    expect(refsAsked).not.toContain(HEAD_BRANCH);
    for (const check of [first, second]) {
      expect(check.conclusion).toBe("success");
      expect(check.output.summary).toContain("ran the default branch's definition");
      // The edited file was right there in the checkout, and was not what ran.
      expect(check.output.summary).toContain("edited file in the checkout: 1");
    }
    expect(ranHead).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
