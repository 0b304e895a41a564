import { describe, expect, it } from "vitest";
import nock from "nock";
import { asc } from "drizzle-orm";
import { useWebhookOnlyApp } from "../helpers/webhook-only-app.js";
import { GITHUB_API, contentsResponse } from "../helpers/github-api.js";
import { captureReplies, definitionFile, example, mockDefinition, mockToken } from "../helpers/example-comment.js";
import { pullRequestCommentPayload } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";

// Targets beyond the commented repository: globs over the installation's repositories (listed
// page by page), projects from the git tree, write access asked per target, and the `run`, `plan`
// and `list` commands that show them. No worker runs; GitHub is nock only, every mock is used and
// any request no mock answers fails the test.

const { repository, owner, author, issueNumber, commentId, defaultBranch } = example;
const sample = pullRequestCommentPayload("");
const triggeringId = sample.repository.id as number;
const PR_HEAD = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

const steps = ["container:", "  image: busybox", "steps:", "  - name: Greet", "    run: echo hi", "  - name: Bye", "    run: echo bye", ""].join("\n");
const definition = (targets: string[], extra: string[] = []) => [...extra, "targets:", ...targets.map((line) => `  ${line}`), steps].join("\n");

interface Repo {
  name: string;
  archived?: boolean;
  fork?: boolean;
  topics?: string[];
}

let nextId = 5000;
function repositoryJson(repo: Repo) {
  const fullName = `${owner}/${repo.name}`;
  return {
    id: fullName === repository ? triggeringId : nextId++,
    name: repo.name,
    full_name: fullName,
    owner: { login: owner },
    private: false,
    clone_url: `https://ghe.example.com/${fullName}.git`,
    default_branch: "main",
    archived: repo.archived ?? false,
    fork: repo.fork ?? false,
    topics: repo.topics ?? [],
  };
}

/** The installation's repositories, `perPage` to a page, linked as GitHub links them. */
function mockInstallationRepositories(repos: Repo[], perPage: number) {
  const pages = Math.ceil(repos.length / perPage);
  for (let page = 1; page <= pages; page++) {
    const query = page === 1 ? { per_page: "100" } : { per_page: "100", page: String(page) };
    const link =
      page < pages ? { link: `<${GITHUB_API}/installation/repositories?per_page=100&page=${page + 1}>; rel="next"` } : undefined;
    nock(GITHUB_API)
      .get("/installation/repositories")
      .query(query)
      .reply(200, { total_count: repos.length, repositories: repos.slice((page - 1) * perPage, page * perPage).map(repositoryJson) }, link);
  }
}

function mockPermissionOn(repo: string, permission: string) {
  nock(GITHUB_API)
    .get(`/repos/${owner}/${repo}/collaborators/${author}/permission`)
    .reply(200, { permission, role_name: permission, user: { login: author } });
}

function mockBranchHead(repo: string, sha: string) {
  nock(GITHUB_API).get(`/repos/${owner}/${repo}/branches/main`).reply(200, { name: "main", commit: { sha } });
}

function mockPullRequestHead() {
  nock(GITHUB_API).get(`/repos/${repository}/pulls/${issueNumber}`).reply(200, { number: issueNumber, head: { sha: PR_HEAD, ref: "feature" } });
}

function mockRocket() {
  nock(GITHUB_API).post(`/repos/${repository}/issues/comments/${commentId}/reactions`, { content: "rocket" }).reply(201, { id: 1, content: "rocket" });
}

/** Check runs created on the pull request's repository, by name; ids counting up from `firstId`. */
function recordCheckNames(firstId: number): string[] {
  const names: string[] = [];
  nock(GITHUB_API)
    .post(`/repos/${repository}/check-runs`, (body: { name: string; head_sha: string }) => {
      names.push(`${body.name} @ ${body.head_sha}`);
      return true;
    })
    .reply(201, () => ({ id: firstId + names.length }))
    .persist();
  return names;
}

const treeEntry = (path: string, type: "tree" | "blob" = "tree") => ({ path, type, mode: type === "tree" ? "040000" : "100644", sha: `sha-${path}` });

describe("targets of a run (PostgreSQL, GitHub mocked)", () => {
  const env = useWebhookOnlyApp("targets");
  const { comment, expectGitHubSawExactlyTheMocks } = env;

  it("runs on every globbed repository it may write, one action and one check each, and says what it skipped", async () => {
    mockToken();
    mockPermissionOn("Hello-World", "write");
    mockDefinition("fanout", definition(['repositories: ["Codertocat/*", "!Codertocat/legacy-*"]']));
    mockPullRequestHead();
    // Three pages: the list must be read to the end.
    mockInstallationRepositories(
      [
        { name: "Hello-World" },
        { name: "api" },
        { name: "legacy-billing" },
        { name: "old-site", archived: true },
        { name: "lodash", fork: true },
        { name: "secret-service" },
        { name: "web" },
      ],
      3,
    );
    mockPermissionOn("api", "admin");
    mockPermissionOn("web", "write");
    mockPermissionOn("secret-service", "read");
    mockBranchHead("api", "a".repeat(40));
    mockBranchHead("web", "b".repeat(40));
    mockRocket();
    const replies = captureReplies();
    const checks = recordCheckNames(8000);

    await comment("/automation run fanout");

    const [run] = await env.database.db.select().from(runs);
    expect(run).toMatchObject({ automation: "fanout", repository, headSha: PR_HEAD });
    const recorded = await env.database.db.select().from(actions).orderBy(asc(actions.position));
    expect(recorded.map((a) => ({ repository: a.repository, ref: a.ref, project: a.project, cloneUrl: a.cloneUrl }))).toEqual([
      { repository: `${owner}/api`, ref: "a".repeat(40), project: null, cloneUrl: `https://ghe.example.com/${owner}/api.git` },
      { repository, ref: PR_HEAD, project: null, cloneUrl: sample.repository.clone_url },
      { repository: `${owner}/web`, ref: "b".repeat(40), project: null, cloneUrl: `https://ghe.example.com/${owner}/web.git` },
    ]);
    expect(await env.database.db.select().from(actionSteps)).toHaveLength(6);
    expect(run!.skippedTargets.map((s) => s.target).sort()).toEqual([`${owner}/lodash`, `${owner}/old-site`, `${owner}/secret-service`]);
    expect(run!.skippedTargets.find((s) => s.target === `${owner}/secret-service`)?.reason).toContain(`${author} cannot write to it (permission: read)`);

    // Only the skip the commenter could not have foreseen is worth a reply; archived and forks follow from the definition.
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Started `fanout` on 3 targets");
    expect(replies[0]).toContain(`\`${owner}/secret-service\`: ${author} cannot write to it (permission: read)`);
    expect(replies[0]).not.toContain("old-site");

    await waitFor("a check run per target", () => checks.filter((c) => c.startsWith("automation: fanout — ")).length >= 3);
    await env.app.background.reporter.drain();
    expect(checks.filter((c) => c.startsWith("automation: fanout — ")).sort()).toEqual([
      `automation: fanout — ${owner}/Hello-World @ ${PR_HEAD}`,
      `automation: fanout — ${owner}/api @ ${PR_HEAD}`,
      `automation: fanout — ${owner}/web @ ${PR_HEAD}`,
    ]);
    expectGitHubSawExactlyTheMocks();
  });

  it("makes one action per project directory, searching a truncated tree one directory at a time", async () => {
    mockToken();
    mockPermissionOn("Hello-World", "write");
    mockDefinition("per-service", definition(['repositories: ["Codertocat/Hello-World", "Codertocat/mono"]', 'projects: ["services/*", "!services/legacy"]']));
    mockPullRequestHead();
    mockInstallationRepositories([{ name: "Hello-World" }, { name: "mono" }, { name: "docs" }], 100);
    mockPermissionOn("mono", "write");
    const monoHead = "d".repeat(40);
    mockBranchHead("mono", monoHead);
    // The commented repository's projects are those of the commit the run uses.
    nock(GITHUB_API)
      .get(`/repos/${repository}/git/trees/${PR_HEAD}`)
      .query({ recursive: "true" })
      .reply(200, { sha: "t1", truncated: false, tree: [treeEntry("services"), treeEntry("services/one"), treeEntry("services/one/src"), treeEntry("README.md", "blob")] });
    // Too large for one listing: root, then only `services` (not `docs`, where no project can be).
    nock(GITHUB_API)
      .get(`/repos/${owner}/mono/git/trees/${monoHead}`)
      .query({ recursive: "true" })
      .reply(200, { sha: "t2", truncated: true, tree: [treeEntry("docs")] });
    nock(GITHUB_API)
      .get(`/repos/${owner}/mono/git/trees/${monoHead}`)
      .reply(200, { sha: "t2", truncated: false, tree: [treeEntry("services"), treeEntry("docs"), treeEntry("package.json", "blob")] });
    nock(GITHUB_API)
      .get(`/repos/${owner}/mono/git/trees/sha-services`)
      .reply(200, { sha: "sha-services", truncated: false, tree: [treeEntry("api"), treeEntry("web"), treeEntry("legacy"), treeEntry("Makefile", "blob")] });
    mockRocket();
    const checks = recordCheckNames(8100);

    await comment("/automation run per-service");

    const recorded = await env.database.db.select().from(actions).orderBy(asc(actions.position));
    expect(recorded.map((a) => `${a.repository} ${a.project} @ ${a.ref}`)).toEqual([
      `${repository} services/one @ ${PR_HEAD}`,
      `${owner}/mono services/api @ ${monoHead}`,
      `${owner}/mono services/web @ ${monoHead}`,
    ]);
    await waitFor("a check run per project", () => checks.filter((c) => c.startsWith("automation: per-service — ")).length >= 3);
    await env.app.background.reporter.drain();
    expect(checks.filter((c) => c.startsWith("automation: per-service — ")).map((c) => c.split(" @ ")[0]).sort()).toEqual([
      `automation: per-service — ${owner}/Hello-World/services/one`,
      `automation: per-service — ${owner}/mono/services/api`,
      `automation: per-service — ${owner}/mono/services/web`,
    ]);
    expectGitHubSawExactlyTheMocks();
  });

  it("runs only on the repositories named in the command, and says which named one is not a target", async () => {
    mockToken();
    mockPermissionOn("Hello-World", "write");
    mockDefinition("fanout", definition(['repositories: ["Codertocat/*"]']));
    mockPullRequestHead();
    mockInstallationRepositories([{ name: "Hello-World" }, { name: "api" }, { name: "web" }, { name: "old-site", archived: true }], 100);
    // Only the named target is asked about.
    mockPermissionOn("web", "write");
    mockBranchHead("web", "b".repeat(40));
    mockRocket();
    const replies = captureReplies();
    const checks = recordCheckNames(8200);

    await comment(`/automation run fanout ${owner}/web ${owner}/nope ${owner}/old-site`);

    const recorded = await env.database.db.select().from(actions);
    expect(recorded.map((a) => a.repository)).toEqual([`${owner}/web`]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Started `fanout` on 1 target");
    expect(replies[0]).toContain(`\`${owner}/nope\` is not a target of \`fanout\``);
    expect(replies[0]).toContain(`\`${owner}/old-site\` is not a target of \`fanout\`: archived`);
    await waitFor("the check run", () => checks.length >= 1);
    await env.app.background.reporter.drain();
    expectGitHubSawExactlyTheMocks();
  });

  it("starts nothing when no target is left, and says why", async () => {
    mockToken();
    mockPermissionOn("Hello-World", "write");
    mockDefinition("fanout", definition(['repositories: ["Codertocat/*"]']));
    mockPullRequestHead();
    mockInstallationRepositories([{ name: "Hello-World" }, { name: "secret-service" }], 100);
    mockPermissionOn("secret-service", "none");
    const replies = captureReplies();

    await comment(`/automation run fanout ${owner}/secret-service`);

    expect(await env.database.db.select().from(runs)).toEqual([]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("Automation `fanout` was not started: none of its targets is left to run on.");
    expect(replies[0]).toContain(`\`${owner}/secret-service\`: ${author} cannot write to it (permission: none)`);
    expectGitHubSawExactlyTheMocks();
  });

  it("answers plan with the targets and the skipped ones with reasons, starting nothing", async () => {
    mockToken();
    mockPermissionOn("Hello-World", "write");
    mockDefinition("fanout", definition(['repositories: ["Codertocat/*"]', "topics: [node]"], ["enabled: false"]));
    mockPullRequestHead();
    mockInstallationRepositories(
      [
        { name: "Hello-World", topics: ["node"] },
        { name: "api", topics: ["node"] },
        { name: "docs" },
        { name: "old-site", archived: true, topics: ["node"] },
        { name: "secret-service", topics: ["node"] },
      ],
      2,
    );
    mockPermissionOn("api", "maintain");
    mockPermissionOn("secret-service", "read");
    mockBranchHead("api", "a".repeat(40));
    const replies = captureReplies();

    await comment("/automation plan fanout");

    expect(await env.database.db.select().from(runs)).toEqual([]);
    expect(replies).toHaveLength(1);
    const plan = replies[0]!;
    expect(plan).toContain("**Plan for `fanout`**: 2 targets in 2 repositories.");
    expect(plan).toContain("Automation `fanout` is disabled");
    expect(plan).toContain(`Targets (2):\n- \`${owner}/api\`\n- \`${owner}/Hello-World\``);
    expect(plan).toContain(`- \`${owner}/old-site\`: archived`);
    expect(plan).toContain(`- \`${owner}/secret-service\`: ${author} cannot write to it (permission: read)`);
    expect(plan).not.toContain(`${owner}/docs`);
    expectGitHubSawExactlyTheMocks();
  });

  it("asks GitHub once per repository when one comment plans and runs", async () => {
    mockToken();
    // Each mock answers once: a second question about the same repository would go unanswered.
    mockPermissionOn("Hello-World", "write");
    mockDefinition("fanout", definition(['repositories: ["Codertocat/*"]']), 2);
    mockPullRequestHead();
    mockInstallationRepositories([{ name: "Hello-World" }, { name: "api" }], 100);
    mockPermissionOn("api", "write");
    mockBranchHead("api", "a".repeat(40));
    mockRocket();
    const replies = captureReplies();
    const checks = recordCheckNames(8300);

    await comment("/automation plan fanout\n/automation run fanout");

    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("**Plan for `fanout`**: 2 targets in 2 repositories.");
    expect((await env.database.db.select().from(actions)).map((a) => a.repository).sort()).toEqual([repository, `${owner}/api`]);
    await waitFor("the check runs", () => checks.filter((c) => c.startsWith("automation: fanout — ")).length >= 2);
    await env.app.background.reporter.drain();
    expectGitHubSawExactlyTheMocks();
  });

  it("answers list with this repository's and the organisation's automations, their state and target counts", async () => {
    mockToken();
    mockPermissionOn("Hello-World", "write");
    const dir = encodeURIComponent(".github/automations");
    const listing = (names: string[]) => names.map((name) => ({ type: "file", name, path: `.github/automations/${name}`, sha: "x" }));
    nock(GITHUB_API).get(`/repos/${repository}/contents/${dir}`).query({ ref: defaultBranch }).reply(200, listing(["hello.yml", "broken.yml", "notes.md"]));
    nock(GITHUB_API).get(`/repos/${owner}/.github/contents/${dir}`).reply(200, listing(["hello.yml", "fanout.yml"]));
    mockDefinition("hello", ["description: Says hello", steps].join("\n"));
    mockDefinition("broken", ["container:", "  image: busybox", "steps: []", ""].join("\n"));
    nock(GITHUB_API)
      .get(`/repos/${owner}/.github/contents/${encodeURIComponent(definitionFile("fanout"))}`)
      .reply(200, contentsResponse(definitionFile("fanout"), definition(['repositories: ["Codertocat/*"]'], ["description: Everywhere | at once", "enabled: false"])));
    mockInstallationRepositories([{ name: "Hello-World" }, { name: "api" }, { name: "web" }, { name: "old-site", archived: true }], 100);
    // Counting targets needs each one's commit, not the commenter's write access.
    mockPullRequestHead();
    mockBranchHead("api", "a".repeat(40));
    mockBranchHead("web", "b".repeat(40));
    const replies = captureReplies();

    await comment("/automation list");

    expect(replies).toHaveLength(1);
    const list = replies[0]!;
    expect(list).toContain("**Automations here** (3)");
    expect(list).toContain("| `broken` | – | – | invalid: .github/automations/broken.yml:3:8: steps must have at least one step |");
    expect(list).toContain(`| \`fanout\` (\`${owner}/.github\`) | no | 3 | Everywhere \\| at once |`);
    expect(list).toContain("| `hello` | yes | 1 | Says hello |");
    expect(await env.database.db.select().from(runs)).toEqual([]);
    expectGitHubSawExactlyTheMocks();
  });
});

