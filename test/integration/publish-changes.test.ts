import { access, appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloneWorkspace } from "../../src/execution/workspace.js";
import { publishChanges, type PublishChangesOptions, type PublishResult } from "../../src/execution/publish-changes.js";
import { octokitPulls } from "../../src/github-app/octokit-pulls.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { GITHUB_API, isolateGitHub, restoreNetwork } from "../helpers/github-api.js";
import { filesUnder } from "../helpers/files-under.js";

const token = "ghs_publishTestToken1234567890abcdefXYZ";
const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
const author = { name: "automations[bot]", email: "automations[bot]@users.noreply.github.com" };

// No retries or throttling: a mock answers once, and an unexpected call must show.
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const pulls = octokitPulls(async () => new TestOctokit({ auth: { token } }));

let server: GitServer;
let scratch: string;
let counter = 0;

beforeAll(async () => {
  server = await startGitServer({ token });
  scratch = await mkdtemp(join(tmpdir(), "automations-publish-test-"));
});
afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => isolateGitHub());
afterEach(() => restoreNetwork());

/** A repository on the git server and a workspace cloned from it, as an action has before its steps. */
async function clonedRepository(files: Record<string, string> = { "README.md": "hello\n", ".gitignore": "node_modules/\n" }) {
  const repository = `acme/widgets-${++counter}`;
  const repo = await server.createRepo(repository, files);
  const dir = join(scratch, `ws-${counter}`);
  await cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.headSha, token, dir });
  return { repository, dir, ...repo };
}

function options(target: Awaited<ReturnType<typeof clonedRepository>>, overrides: Partial<PublishChangesOptions> = {}): PublishChangesOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    pulls,
    installationId: 42,
    repository: target.repository,
    cloneUrl: target.cloneUrl,
    workspaceDir: target.dir,
    baseSha: target.headSha,
    token,
    author,
    branch: "automation/hello",
    title: "chore: say hello",
    body: "Opened by the hello automation.",
    commitMessage: "chore: say hello\n\nAutomation: hello\n",
    draft: true,
    labels: ["automation", "dependencies"],
    log: (line) => lines.push(line),
    lines,
    ...overrides,
  };
}

function expectFailed(result: PublishResult): string {
  expect(result.outcome).toBe("failed");
  return (result as { reason: string }).reason;
}

// nock offers a body matcher the bodies of other requests to the host too (check runs, reactions):
// a body counts only when it has the field that request is known by.
function record(into: Array<Record<string, unknown>>, field: string, body: unknown): boolean {
  if (typeof body !== "object" || body === null || !(field in body)) return false;
  into.push(body as Record<string, unknown>);
  return true;
}

const receivePacks = (from: number) => server.requests.slice(from).filter((r) => r.path.endsWith("git-receive-pack"));

/** A workspace whose README a step changed. */
async function changedRepository() {
  const target = await clonedRepository();
  await appendFile(join(target.dir, "README.md"), "x\n");
  return target;
}

/** A cancel, as the worker's signal carries it (src/queue/stop-request.ts). */
const CANCEL = { kind: "cancel", reason: "cancelled by @octocat" };

describe("publishChanges", () => {
  it("opens the pull request of changes already pushed when a stop request comes, rather than leave the branch alone", async () => {
    const target = await changedRepository();
    const stop = new AbortController();
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query({ state: "open", head: "acme:automation/hello", per_page: "1" })
      .reply(200, () => {
        // The branch is pushed by now.
        stop.abort(CANCEL);
        return [];
      })
      .post(`/repos/${target.repository}/pulls`)
      .reply(201, { number: 13, html_url: `https://github.com/${target.repository}/pull/13` });

    const result = await publishChanges(options(target, { labels: [], signal: stop.signal }));

    expect(result).toMatchObject({ outcome: "published", opened: true, pullRequest: { number: 13 } });
    expect(await server.branchHead(target.repository, "automation/hello")).not.toBeNull();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("pushes nothing and asks nothing more of GitHub once a stop request came before the push", async () => {
    const target = await changedRepository();
    const stop = new AbortController();
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, () => {
        stop.abort(CANCEL);
        return { default_branch: "main" };
      });
    const pushesBefore = receivePacks(0).length;

    await expect(publishChanges(options(target, { signal: stop.signal }))).rejects.toMatchObject({ name: "ActionStopped", message: "cancelled by @octocat" });

    expect(receivePacks(0).length).toBe(pushesBefore);
    expect(await server.branchHead(target.repository, "automation/hello")).toBeNull();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("commits the changed, new and deleted files as the app, pushes the branch and opens the pull request", async () => {
    const target = await clonedRepository({ "README.md": "hello\n", "old.txt": "old\n", ".gitignore": "node_modules/\n" });
    await appendFile(join(target.dir, "README.md"), "x\n");
    await mkdir(join(target.dir, "src"), { recursive: true });
    await writeFile(join(target.dir, "src/new.txt"), "new\n");
    await rm(join(target.dir, "old.txt"));
    await mkdir(join(target.dir, "node_modules/pkg"), { recursive: true });
    await writeFile(join(target.dir, "node_modules/pkg/index.js"), "ignored\n");

    const created: Array<Record<string, unknown>> = [];
    const labelled: Array<Record<string, unknown>> = [];
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query({ state: "open", head: "acme:automation/hello", per_page: "1" })
      .reply(200, [])
      .post(`/repos/${target.repository}/pulls`, (body: Record<string, unknown>) => record(created, "head", body))
      .reply(201, { number: 12, html_url: `https://github.com/${target.repository}/pull/12` })
      .post(`/repos/${target.repository}/issues/12/labels`, (body: Record<string, unknown>) => record(labelled, "labels", body))
      .reply(200, []);

    const result = await publishChanges(options(target));

    expect(result).toMatchObject({
      outcome: "published",
      opened: true,
      branch: "automation/hello",
      pullRequest: { number: 12, url: `https://github.com/${target.repository}/pull/12` },
      warning: null,
    });
    expect(created).toEqual([
      { title: "chore: say hello", body: "Opened by the hello automation.", head: "automation/hello", base: "main", draft: true },
    ]);
    expect(labelled).toEqual([{ labels: ["automation", "dependencies"] }]);
    expect(nock.pendingMocks()).toEqual([]);

    // The served repository has the commit on the branch, on top of the cloned commit.
    const head = await server.branchHead(target.repository, "automation/hello");
    expect(head).toBe((result as { commitSha: string }).commitSha);
    const commit = await server.commitInfo(target.repository, head!);
    expect(commit.author).toBe("automations[bot] <automations[bot]@users.noreply.github.com>");
    expect(commit.committer).toBe(commit.author);
    expect(commit.parents).toEqual([target.headSha]);
    expect(commit.message).toContain("chore: say hello");
    expect(await server.fileAt(target.repository, head!, "README.md")).toBe("hello\nx");
    expect(await server.fileAt(target.repository, head!, "src/new.txt")).toBe("new");
    await expect(server.fileAt(target.repository, head!, "old.txt")).rejects.toThrow();
    await expect(server.fileAt(target.repository, head!, "node_modules/pkg/index.js")).rejects.toThrow();
    // The default branch is untouched.
    expect(await server.branchHead(target.repository, "main")).toBe(target.headSha);
  });

  it("force-pushes the branch and updates the open pull request of an earlier run instead of opening another", async () => {
    const target = await clonedRepository();
    await appendFile(join(target.dir, "README.md"), "first run\n");
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${target.repository}/pulls`)
      .reply(201, { number: 7, html_url: `https://github.com/${target.repository}/pull/7` });
    const first = await publishChanges(options(target, { labels: [] }));
    expect(first).toMatchObject({ outcome: "published", opened: true });

    // The next run starts from a fresh clone of the same commit and changes something else.
    const again = join(scratch, `ws-${counter}-again`);
    await cloneWorkspace({ cloneUrl: target.cloneUrl, ref: target.headSha, token, dir: again });
    await writeFile(join(again, "second.txt"), "second run\n");
    const updated: Array<Record<string, unknown>> = [];
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query({ state: "open", head: "acme:automation/hello", per_page: "1" })
      .reply(200, [{ number: 7, html_url: `https://github.com/${target.repository}/pull/7` }])
      .patch(`/repos/${target.repository}/pulls/7`, (body: Record<string, unknown>) => record(updated, "body", body))
      .reply(200, { number: 7, html_url: `https://github.com/${target.repository}/pull/7` });

    const second = await publishChanges(options({ ...target, dir: again }, { labels: [], title: "chore: say hello again", body: "Second body." }));

    expect(second).toMatchObject({ outcome: "published", opened: false, pullRequest: { number: 7 } });
    expect(updated).toEqual([{ title: "chore: say hello again", body: "Second body." }]);
    expect(nock.pendingMocks()).toEqual([]);
    const head = await server.branchHead(target.repository, "automation/hello");
    expect(head).toBe((second as { commitSha: string }).commitSha);
    const commit = await server.commitInfo(target.repository, head!);
    expect(commit.parents).toEqual([target.headSha]);
    expect(await server.fileAt(target.repository, head!, "second.txt")).toBe("second run");
    expect(await server.fileAt(target.repository, head!, "README.md")).toBe("hello");
  });

  it("reports no changes and pushes nothing when the workspace matches the cloned commit", async () => {
    const target = await clonedRepository();
    // Only ignored files: what the repository's .gitignore excludes is not a change.
    await mkdir(join(target.dir, "node_modules"), { recursive: true });
    await writeFile(join(target.dir, "node_modules/cache"), "ignored\n");
    const before = server.requests.length;

    const result = await publishChanges(options(target));

    expect(result).toEqual({ outcome: "no-changes" });
    expect(receivePacks(before)).toEqual([]);
    expect(await server.branchHead(target.repository, "automation/hello")).toBeNull();
  });

  it("publishes changes a step committed itself inside the workspace", async () => {
    const target = await clonedRepository();
    await appendFile(join(target.dir, "README.md"), "committed by a step\n");
    const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
    const run = promisify(execFile);
    await run("git", ["-c", "user.name=Step", "-c", "user.email=step@example.com", "commit", "--quiet", "-am", "step"], { cwd: target.dir, env });
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${target.repository}/pulls`)
      .reply(201, { number: 4, html_url: `https://github.com/${target.repository}/pull/4` });

    const result = await publishChanges(options(target, { labels: [] }));

    expect(result).toMatchObject({ outcome: "published", opened: true });
    const head = await server.branchHead(target.repository, "automation/hello");
    expect((await server.commitInfo(target.repository, head!)).parents).toEqual([target.headSha]);
    expect(await server.fileAt(target.repository, head!, "README.md")).toBe("hello\ncommitted by a step");
  });

  it("leaves the token in no file of the workspace and never runs what the workspace's .git asks for", async () => {
    const target = await clonedRepository();
    await appendFile(join(target.dir, "README.md"), "changed\n");
    // What a step could leave behind to run code on the host when git runs there.
    const marker = join(scratch, `ran-${counter}`);
    await appendFile(join(target.dir, ".git/config"), `[core]\n\tfsmonitor = "touch ${marker}"\n\thooksPath = .git/hooks\n`);
    await mkdir(join(target.dir, ".git/hooks"), { recursive: true });
    await writeFile(join(target.dir, ".git/hooks/pre-commit"), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    await writeFile(join(target.dir, ".git/hooks/pre-push"), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${target.repository}/pulls`)
      .reply(201, { number: 3, html_url: `https://github.com/${target.repository}/pull/3` });
    const before = server.requests.length;

    const result = await publishChanges(options(target, { labels: [] }));

    expect(result).toMatchObject({ outcome: "published" });
    await expect(access(marker)).rejects.toMatchObject({ code: "ENOENT" });
    const pushes = receivePacks(before);
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.every((r) => r.authorization === `Basic ${basic}`)).toBe(true);
    for (const file of await filesUnder(target.dir)) {
      const content = await readFile(file);
      expect(content.includes(token), file).toBe(false);
      expect(content.includes(basic), file).toBe(false);
    }
    // The host's own git directory is gone; only the workspace remains in the scratch area.
    expect((await readdir(scratch)).filter((name) => name.includes(".publish-"))).toEqual([]);
  });

  it("fails with the server's words and what to do when the push is refused", async () => {
    const target = await clonedRepository();
    await server.refusePushes(target.repository, "GH006: Protected branch update failed for refs/heads/automation/hello.");
    await appendFile(join(target.dir, "README.md"), "x\n");
    nock(GITHUB_API).get(`/repos/${target.repository}`).reply(200, { default_branch: "main" });

    const reason = expectFailed(await publishChanges(options(target)));

    expect(reason).toContain(`Could not push the changes to branch "automation/hello" of ${target.repository}`);
    expect(reason).toContain("GH006: Protected branch update failed");
    expect(reason).toMatch(/Choose another pull_request\.branch, or allow the app to push to it/);
    expect(reason).not.toContain(token);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("fails saying the app needs pull_requests: write when GitHub refuses to open the pull request", async () => {
    const target = await changedRepository();
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${target.repository}/pulls`)
      .reply(403, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" });

    const reason = expectFailed(await publishChanges(options(target)));

    expect(reason).toContain(`Could not open a pull request from automation/hello into main of ${target.repository}`);
    expect(reason).toContain("GitHub answered 403 (Resource not accessible by integration)");
    expect(reason).toContain("`pull_requests: write`");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("fails with GitHub's validation message when the pull request is invalid", async () => {
    const target = await changedRepository();
    nock(GITHUB_API)
      .get(`/repos/${target.repository}`)
      .reply(200, { default_branch: "main" })
      .get(`/repos/${target.repository}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${target.repository}/pulls`)
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "PullRequest", code: "custom", message: "Draft pull requests are not supported in this repository." }],
      });

    const reason = expectFailed(await publishChanges(options(target)));

    expect(reason).toContain("GitHub answered 422 (Validation Failed: Draft pull requests are not supported in this repository)");
    expect(reason).toContain("set pull_request.draft to false");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("refuses to push to the repository's default branch", async () => {
    const target = await changedRepository();
    nock(GITHUB_API).get(`/repos/${target.repository}`).reply(200, { default_branch: "main" });
    const before = server.requests.length;

    const reason = expectFailed(await publishChanges(options(target, { branch: "main" })));

    expect(reason).toMatch(/pull_request\.branch is "main", the default branch/);
    expect(receivePacks(before)).toEqual([]);
    expect(await server.branchHead(target.repository, "main")).toBe(target.headSha);
  });
});
