import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { httpRequest, mockRepositories, signIn, startPagesApp, type PagesApp, type Person } from "../helpers/pages-app.js";
import { seedRun } from "../helpers/seed-pages.js";
import { RUNS_PER_PAGE } from "../../src/web/run-filters.js";

// The Runs page: newest first, filters, pages.

const person: Person = { login: "octocat", token: "gho_list", repositories: { "acme/api": "read", "acme/web": "read" } };

let database: TestDatabase;
let app: PagesApp;
let cookie: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  database = await createPostgresDatabase();
  app = await startPagesApp(database.db);
  // Older runs first: a page of "filler" runs, then the ones the filters look for.
  for (let i = 0; i < RUNS_PER_PAGE; i++) {
    await seedRun(database.db, { automation: "filler", minutesAgo: 1000 + i, actions: [{ repository: "acme/api", status: "done" }] });
  }
  ids.failedWeb = (await seedRun(database.db, { repository: "acme/web", minutesAgo: 30, actions: [{ repository: "acme/web", status: "failed" }] })).runId;
  ids.pageRun = (await seedRun(database.db, { minutesAgo: 20, trigger: { kind: "page", sender: "octocat" }, actions: [{ repository: "acme/api", status: "done" }] })).runId;
  ids.running = (await seedRun(database.db, { minutesAgo: 10, actions: [{ repository: "acme/api", status: "running" }] })).runId;
  cookie = await signIn(app, person);
  mockRepositories(person);
});

afterAll(async () => {
  expect(nock.pendingMocks()).toEqual([]);
  await app?.stop();
  await database?.destroy();
  nock.cleanAll();
  nock.enableNetConnect();
});

const runsOn = async (query: string) => {
  const response = await httpRequest(`${app.url}/automations${query}`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return { ids: [...response.body.matchAll(/data-run="([^"]+)"/g)].map((m) => m[1]), body: response.body };
};

describe("the Runs page", () => {
  it("lists the newest runs first, one page at a time, with a link to older ones", async () => {
    const first = await runsOn("");
    expect(first.ids.slice(0, 3)).toEqual([ids.running, ids.pageRun, ids.failedWeb]);
    expect(first.ids).toHaveLength(RUNS_PER_PAGE);
    expect(first.body).toContain('href="/automations?page=2">Older →');
    const second = await runsOn("?page=2");
    expect(second.ids).toHaveLength(3);
    expect(second.body).toContain('href="/automations">← Newer');
    expect(second.body).not.toContain("Older →");
  });

  it("filters by status, trigger, automation and repository, and keeps the filters in the form", async () => {
    expect((await runsOn("?status=running")).ids).toEqual([ids.running]);
    expect((await runsOn("?status=failed")).ids).toEqual([ids.failedWeb]);
    expect((await runsOn("?trigger=page")).ids).toEqual([ids.pageRun]);
    expect((await runsOn("?repository=ACME/web")).ids).toEqual([ids.failedWeb]);
    const named = await runsOn("?automation=upgrade-node&status=done");
    expect(named.ids).toEqual([ids.pageRun]);
    expect(named.body).toContain('name="automation" value="upgrade-node"');
    expect(named.body).toContain('<option value="done" selected>');
  });

  it("says so when nothing matches", async () => {
    const none = await runsOn("?automation=nothing-like-this");
    expect(none.ids).toEqual([]);
    expect(none.body).toContain("No runs match these filters");
  });
});
