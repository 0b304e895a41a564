import { eq } from "drizzle-orm";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions, runs } from "../../src/runs/runs.sql.js";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { contentsResponse, GITHUB_API, installationTokenResponse } from "../helpers/github-api.js";
import { csrfTokenIn, httpRequest, mockRepositories, signIn, startPagesApp, type PagesApp, type Person } from "../helpers/pages-app.js";
import { DEFINITION_V1, DEFINITION_V2, seedRun } from "../helpers/seed-pages.js";

// Run an automation from its page: the targets resolved with the person's access, a confirmation
// of the chosen ones, then a run with one action per chosen target. Disabled automations cannot run.

const person: Person = { login: "maintainer", token: "gho_start", repositories: { "acme/api": "write", "acme/web": "write" } };
const HEAD = "1111111111111111111111111111111111111111";
const WEB_HEAD = "2222222222222222222222222222222222222222";

let database: TestDatabase;
let app: PagesApp;
let cookie: string;

const definitionPath = (name: string) => encodeURIComponent(`.github/automations/${name}.yml`);
const repositoryJson = (fullName: string, id: number, extra: Record<string, unknown> = {}) => ({
  id,
  full_name: fullName,
  name: fullName.split("/")[1],
  owner: { login: fullName.split("/")[0] },
  clone_url: `https://github.com/${fullName}.git`,
  default_branch: "main",
  archived: false,
  fork: false,
  topics: [],
  ...extra,
});

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  database = await createPostgresDatabase();
  app = await startPagesApp(database.db);
  await seedRun(database.db, { repository: "acme/api", actions: [{ repository: "acme/api", status: "done" }] });
  await seedRun(database.db, { repository: "acme/api", automation: "retired", actions: [{ repository: "acme/api", status: "done" }] });
  // The seeded runs read their definition from .github/automations/upgrade-node.yml; "retired" sits beside it.
  await database.db.update(runs).set({ definitionPath: ".github/automations/retired.yml" }).where(eq(runs.automation, "retired"));
  cookie = await signIn(app, person);
  mockRepositories(person);

  // GitHub as the installation sees it; the same questions are asked once per page.
  const api = nock(GITHUB_API).persist();
  api.post("/app/installations/1/access_tokens").reply(201, installationTokenResponse("ghs_pages"));
  api.get("/repos/acme/api/collaborators/maintainer/permission").reply(200, { permission: "write", role_name: "write" });
  api.get("/repos/acme/web/collaborators/maintainer/permission").reply(200, { permission: "write", role_name: "write" });
  api.get("/repos/acme/api").reply(200, repositoryJson("acme/api", 100));
  api.get(`/repos/acme/api/contents/${definitionPath("upgrade-node")}`).query({ ref: "main" }).reply(404, { message: "Not Found" });
  api.get(`/repos/acme/.github/contents/${definitionPath("upgrade-node")}`).reply(200, contentsResponse(".github/automations/upgrade-node.yml", DEFINITION_V2));
  api.get(`/repos/acme/api/contents/${definitionPath("retired")}`).query({ ref: "main" }).reply(200, contentsResponse(".github/automations/retired.yml", DEFINITION_V1.replace("name: upgrade-node", "name: retired\nenabled: false")));
  api.get("/repos/acme/api/branches/main").reply(200, { name: "main", commit: { sha: HEAD } });
  api.get("/repos/acme/web/branches/main").reply(200, { name: "main", commit: { sha: WEB_HEAD } });
  api
    .get("/installation/repositories")
    .query({ per_page: "100" })
    .reply(200, {
      total_count: 3,
      repositories: [repositoryJson("acme/api", 100), repositoryJson("acme/web", 101), repositoryJson("acme/legacy", 102, { archived: true })],
    });
});

afterAll(async () => {
  // Every GitHub answer above was asked for at least once.
  expect(nock.pendingMocks()).toEqual([]);
  await app?.stop();
  await database?.destroy();
  nock.cleanAll();
  nock.enableNetConnect();
});

const page = (path: string) => httpRequest(`${app.url}${path}`, { headers: { cookie } });

describe("running an automation from its page", () => {
  const runPage = "/automations/history/acme/.github/upgrade-node/run";

  it("offers a Run button on the automation's history", async () => {
    const history = await page("/automations/history/acme/.github/upgrade-node");
    expect(history.body).toContain(`id="run-automation" href="${runPage}"`);
  });

  it("lists the resolved targets to pick from, and says which were left out and why", async () => {
    const response = await page(runPage);
    expect(response.status).toBe(200);
    expect(response.body).toContain('name="target" value="acme/api" checked');
    expect(response.body).toContain('name="target" value="acme/web" checked');
    expect(response.body).toMatch(/acme\/legacy<\/td><td>archived/);
    expect(response.body).not.toContain("Start the run");
  });

  it("confirms the chosen targets, then starts a run with one action for each", async () => {
    const confirm = await page(`${runPage}?in=acme%2Fapi&confirm=1&target=acme%2Fweb`);
    expect(confirm.body).toContain("Start 1 action?");
    expect(confirm.body).toMatch(/<li>acme\/web at <code>2222222<\/code><\/li>/);
    expect(confirm.body).not.toMatch(/<li>acme\/api at/);
    const request = /name="request" value="([^"]+)"/.exec(confirm.body)![1]!;
    const form = new URLSearchParams({ _csrf: csrfTokenIn(confirm.body), in: "acme/api", request, target: "acme/web" }).toString();
    const post = () =>
      httpRequest(`${app.url}${runPage}`, {
        method: "POST",
        body: form,
        headers: { cookie, origin: app.url, "content-type": "application/x-www-form-urlencoded" },
      });
    const started = await post();
    expect(started.status).toBe(303);
    const runId = String(started.headers.location).split("/").pop()!;
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.trigger).toEqual({ kind: "page", sender: "maintainer" });
    expect(run?.headSha).toBe(HEAD);
    expect(run?.definitionRepository).toBe("acme/.github");
    const started_actions = await database.db.select().from(actions).where(eq(actions.runId, runId));
    expect(started_actions.map((a) => [a.repository, a.ref, a.status])).toEqual([["acme/web", WEB_HEAD, "pending"]]);

    // Pressing Start twice makes one run.
    const again = await post();
    expect(again.headers.location).toBe(started.headers.location);
  });

  it("shows no Run button for a disabled automation, and says why", async () => {
    const response = await page("/automations/history/acme/.github/retired/run");
    expect(response.status).toBe(200);
    expect(response.body).toContain("retired is disabled");
    expect(response.body).toContain("enabled: false</code> in acme/api:.github/automations/retired.yml");
    expect(response.body).not.toContain('name="target"');
    expect(response.body).not.toContain("Start the run");
  });
});

describe("retrying the failed targets from the run page", () => {
  it("starts a new run of just the failed targets, linked to the run it retries", async () => {
    const { runId } = await seedRun(database.db, {
      repository: "acme/api",
      actions: [
        { repository: "acme/api", status: "done" },
        { repository: "acme/web", status: "failed", reason: "step Test exited with 1" },
      ],
    });
    const runPage = await page(`/automations/runs/${runId}`);
    expect(runPage.body).toContain("Retry 1 failed");
    const request = /name="request" value="([^"]+)"/.exec(runPage.body)![1]!;
    const retried = await httpRequest(`${app.url}/automations/runs/${runId}/retry-failed`, {
      method: "POST",
      body: new URLSearchParams({ _csrf: csrfTokenIn(runPage.body), request }).toString(),
      headers: { cookie, origin: app.url, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(retried.status).toBe(303);
    const newRunId = String(retried.headers.location).split("/").pop()!;
    expect(newRunId).not.toBe(runId);
    const [run] = await database.db.select().from(runs).where(eq(runs.id, newRunId));
    expect(run?.rerunOf).toBe(runId);
    expect(run?.trigger).toEqual({ kind: "page", sender: "maintainer" });
    const retriedActions = await database.db.select().from(actions).where(eq(actions.runId, newRunId));
    expect(retriedActions.map((a) => a.repository)).toEqual(["acme/web"]);
  });

  it("starts nothing for an automation disabled since, and says why and what to do", async () => {
    const { runId } = await seedRun(database.db, {
      repository: "acme/api",
      automation: "retired",
      actions: [{ repository: "acme/web", status: "failed", reason: "step Test exited with 1" }],
    });
    await database.db.update(runs).set({ definitionPath: ".github/automations/retired.yml" }).where(eq(runs.id, runId));
    const runPage = await page(`/automations/runs/${runId}`);
    const before = await database.db.select().from(runs);
    const retried = await httpRequest(`${app.url}/automations/runs/${runId}/retry-failed`, {
      method: "POST",
      body: new URLSearchParams({ _csrf: csrfTokenIn(runPage.body), request: crypto.randomUUID() }).toString(),
      headers: { cookie, origin: app.url, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(retried.status).toBe(409);
    expect(retried.body).toContain("automation retired is disabled (enabled: false in acme/api:.github/automations/retired.yml).");
    expect(retried.body).toContain("Set enabled: true in .github/automations/retired.yml on the default branch of acme/api to run it again.");
    expect(await database.db.select().from(runs)).toHaveLength(before.length);
  });
});
