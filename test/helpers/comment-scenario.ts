import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { runs } from "../../src/runs/runs.sql.js";
import { createPostgresDatabase, type TestDatabase } from "./database.js";
import { ensureTestImage } from "./docker.js";
import { ThreadedDockerRuntime } from "./threaded-docker-runtime.js";
import type { Database } from "../../src/db/client.js";
import { startApp, type AppHarness } from "./app-harness.js";
import { startGitServer, type GitServer } from "./git-server.js";
import { contentsResponse, GITHUB_API, installationTokenResponse, isolateGitHub, recordCheckRuns, restoreNetwork, type CheckRunCalls } from "./github-api.js";
import { pullRequestCommentPayload } from "./webhooks.js";
import { waitFor } from "./wait-for.js";

export const INSTALLATION_TOKEN = "ghs_installationTokenForTests0123456789";

/**
 * A repository with a definition on its default branch, served by a real git server, and a
 * `/automation run` comment on one of its pull requests delivered to the app. GitHub's API is
 * nock; everything else is real.
 */
export interface CommentScenario {
  app: AppHarness;
  git: GitServer;
  repository: string;
  headSha: string;
  checkRuns: CheckRunCalls;
  /** Where the app clones targets; empty again once an action has finished. */
  workspaceRoot: string;
  /** Resolves once the check run has been completed on GitHub; returns that last update. */
  completedCheck(): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export async function runCommentScenario(options: {
  database: Database;
  automation: string;
  definition: string;
  files?: Record<string, string>;
}): Promise<CommentScenario> {
  const git = await startGitServer({ token: INSTALLATION_TOKEN });
  const workspaceRoot = await mkdtemp(join(tmpdir(), "automations-ws-"));
  // As in production, actions clone through the repository cache.
  const repositoryCacheDir = await mkdtemp(join(tmpdir(), "automations-repository-cache-"));
  const runtime = new ThreadedDockerRuntime();
  const app = await startApp({ database: options.database, runtime, workspaceRoot, repositoryCacheDir });

  const payload = pullRequestCommentPayload(`Please try this.\n\n/automation run ${options.automation}\n`);
  const repository: string = payload.repository.full_name;
  const { cloneUrl, headSha } = await git.createRepo(repository, options.files ?? { "README.md": "hello from the repository\n" });
  payload.repository.clone_url = cloneUrl;
  const installationId: number = payload.installation.id;
  const author: string = payload.comment.user.login;
  const path = `.github/automations/${options.automation}.yml`;

  nock(GITHUB_API)
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(201, installationTokenResponse(INSTALLATION_TOKEN))
    .get(`/repos/${repository}/collaborators/${author}/permission`)
    .reply(200, { permission: "write", role_name: "write", user: { login: author } })
    .get(`/repos/${repository}/contents/${encodeURIComponent(path)}`)
    .query({ ref: payload.repository.default_branch })
    .reply(200, contentsResponse(path, options.definition))
    .get(`/repos/${repository}/pulls/${payload.issue.number}`)
    .reply(200, { number: payload.issue.number, head: { sha: headSha, ref: "feature" } })
    .post(`/repos/${repository}/issues/comments/${payload.comment.id}/reactions`, { content: "rocket" })
    .reply(201, { id: 1, content: "rocket" });
  const checkRuns = recordCheckRuns(repository, 7001);

  const response = await app.deliver("issue_comment", payload);
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${response.body}`);

  return {
    app,
    git,
    repository,
    headSha,
    checkRuns,
    workspaceRoot,
    completedCheck: () =>
      waitFor("the check run to be completed", () => checkRuns.updated.find((u) => u.status === "completed")),
    async close() {
      await app.stop();
      await runtime.close();
      await git.close();
      await rm(workspaceRoot, { recursive: true, force: true });
      await rm(repositoryCacheDir, { recursive: true, force: true });
    },
  };
}

export interface CommentScenarios {
  readonly database: TestDatabase;
  /** Starts this test's scenario; it is closed, and its runs removed, after the test. */
  start(options: Omit<Parameters<typeof runCommentScenario>[0], "database">): Promise<CommentScenario>;
}

/**
 * For a describe block of comment scenarios: one database for the block (PostgreSQL unless
 * `create` says otherwise), the Docker test image, and GitHub isolated for each test.
 */
export function useCommentScenarios(create: () => Promise<TestDatabase> = createPostgresDatabase): CommentScenarios {
  let database: TestDatabase | undefined;
  let scenario: CommentScenario | undefined;
  beforeAll(async () => {
    await ensureTestImage();
    database = await create();
  });
  afterAll(async () => {
    await database?.destroy();
  });
  beforeEach(() => {
    isolateGitHub();
  });
  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
    restoreNetwork();
    await database?.db.delete(runs);
  });
  return {
    get database() {
      if (!database) throw new Error("the database is made in beforeAll");
      return database;
    },
    async start(options) {
      scenario = await runCommentScenario({ database: this.database, ...options });
      return scenario;
    },
  };
}
