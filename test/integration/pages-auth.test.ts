import { eq } from "drizzle-orm";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { actions, runs } from "../../src/runs/runs.sql.js";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import {
  cookieFrom,
  csrfTokenIn,
  gitHubLinkIn,
  httpRequest,
  mockRepositories,
  signIn,
  startPagesApp,
  type PagesApp,
  type Person,
} from "../helpers/pages-app.js";
import { seedRun } from "../helpers/seed-pages.js";

// Who sees what on the pages: sign-in with GitHub (mocked at GitHub's edge), the session cookie,
// CSRF protection, and read versus write access.

const writer: Person = { login: "maintainer", token: "gho_writer", repositories: { "acme/api": "write", "acme/web": "write" } };
const reader: Person = { login: "reader", token: "gho_reader", repositories: { "acme/api": "read" } };

let database: TestDatabase;
let app: PagesApp;
let apiRun: string;
let apiAction: string;
let secretRun: string;
let writerCookie: string;
let readerCookie: string;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  database = await createPostgresDatabase();
  app = await startPagesApp(database.db);
  const api = await seedRun(database.db, {
    repository: "acme/api",
    actions: [
      { repository: "acme/api", status: "running" },
      { repository: "acme/web", status: "pending" },
    ],
  });
  apiRun = api.runId;
  apiAction = api.actionIds[0]!;
  secretRun = (await seedRun(database.db, { repository: "acme/secret-plans", automation: "classified", actions: [{ repository: "acme/secret-plans", status: "done" }] })).runId;
  writerCookie = await signIn(app, writer);
  readerCookie = await signIn(app, reader);
  // Each person's repositories are asked of GitHub once, then remembered for a minute.
  mockRepositories(writer);
  mockRepositories(reader);
  expect((await page("/automations", writerCookie)).status).toBe(200);
  expect((await page("/automations", readerCookie)).status).toBe(200);
});

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
});

afterAll(async () => {
  await app?.stop();
  await database?.destroy();
  nock.cleanAll();
  nock.enableNetConnect();
});

const page = (path: string, cookie?: string) => httpRequest(`${app.url}${path}`, { headers: cookie ? { cookie } : {} });
const post = (path: string, cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  httpRequest(`${app.url}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: app.url, ...headers },
  });

describe("signing in", () => {
  it("sends a visitor without a session to sign in, with a link to GitHub carrying the app's client id", async () => {
    const response = await page(`/automations/runs/${apiRun}`);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`/automations/sign-in?next=${encodeURIComponent(`/automations/runs/${apiRun}`)}`);

    const signInPage = await page(String(response.headers.location));
    expect(signInPage.status).toBe(200);
    const github = gitHubLinkIn(signInPage.body);
    expect(github.origin + github.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(github.searchParams.get("client_id")).toBe("Iv1.pagesclient");
    expect(github.searchParams.get("redirect_uri")).toBe(`${app.url}/automations/auth/callback`);
    expect(github.searchParams.get("state")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("serves no page, not even the list of runs, without a session", async () => {
    for (const path of ["/automations", `/automations/actions/${apiAction}`, "/automations/history/acme/.github/upgrade-node"]) {
      expect((await page(path)).status).toBe(302);
    }
  });

  it("sets an http-only, SameSite session cookie scoped to the pages", async () => {
    const start = await page("/automations/sign-in");
    const state = gitHubLinkIn(start.body).searchParams.get("state");
    const person: Person = { login: "newcomer", token: "gho_newcomer", repositories: {} };
    const { mockSignIn } = await import("../helpers/pages-app.js");
    mockSignIn(person, "the-code");
    const back = await httpRequest(`${app.url}/automations/auth/callback?code=the-code&state=${state}`, {
      headers: { cookie: cookieFrom(start, "automations_oauth_state")! },
    });
    expect(back.status).toBe(302);
    expect(back.headers.location).toBe("/automations");
    const line = ([] as string[]).concat(back.headers["set-cookie"] ?? []).find((l) => l.startsWith("automations_session="))!;
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Lax/i);
    expect(line).toMatch(/Path=\/automations/i);
    expect(line).not.toContain("gho_newcomer");
  });

  it("refuses a callback whose state does not match the browser's", async () => {
    const start = await page("/automations/sign-in");
    const back = await httpRequest(`${app.url}/automations/auth/callback?code=x&state=forged`, {
      headers: { cookie: cookieFrom(start, "automations_oauth_state")! },
    });
    expect(back.status).toBe(400);
    expect(back.body).toContain("Sign-in expired");
    expect(cookieFrom(back, "automations_session")).toBeNull();
  });

  it("never sends the browser back to another site after sign-in", async () => {
    const start = await page("/automations/sign-in?next=https://evil.example/steal");
    const state = gitHubLinkIn(start.body).searchParams.get("state");
    const person: Person = { login: "visitor", token: "gho_visitor", repositories: {} };
    const { mockSignIn } = await import("../helpers/pages-app.js");
    mockSignIn(person, "code-visitor");
    const back = await httpRequest(`${app.url}/automations/auth/callback?code=code-visitor&state=${state}`, {
      headers: { cookie: cookieFrom(start, "automations_oauth_state")! },
    });
    expect(back.headers.location).toBe("/automations");
  });

  it("rejects a forged or altered session cookie", async () => {
    const [name, value] = writerCookie.split("=");
    const parts = value!.split(".");
    const body = Buffer.from(parts[2]!, "base64url");
    body[body.length - 1] = body[body.length - 1]! ^ 1;
    for (const forged of [
      `${name}=${parts[0]}.${parts[1]}.${body.toString("base64url")}`,
      `${name}=${Buffer.from(JSON.stringify({ login: "maintainer", token: "gho_writer" })).toString("base64url")}`,
    ]) {
      const response = await page("/automations", forged);
      expect(response.status).toBe(302);
      expect(response.headers.location).toContain("/automations/sign-in");
    }
  });
});

describe("beside the app's other routes", () => {
  it("leaves everything outside /automations to Probot", async () => {
    expect((await page("/ping")).body).toBe("PONG");
    expect((await page("/automationsx")).status).toBe(404);
    expect((await page("/automations/assets/style.css")).status).toBe(200);
  });
});

describe("what a signed-in person sees", () => {
  it("lists only the runs of repositories the person can read", async () => {
    const response = await page("/automations", readerCookie);
    expect(response.status).toBe(200);
    expect(response.body).toContain(`data-run="${apiRun}"`);
    expect(response.body).not.toContain(secretRun);
    expect(response.body).not.toContain("acme/secret-plans");
    expect(response.body).toContain("@reader");
  });

  it("answers 404 for a run in a repository the person cannot read", async () => {
    const response = await page(`/automations/runs/${secretRun}`, writerCookie);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain("classified");
  });

  it("hides the targets of a run in repositories the person cannot read", async () => {
    const response = await page(`/automations/runs/${apiRun}`, readerCookie);
    expect(response.body).toContain("a repository you cannot read");
    expect(response.body).not.toContain("acme/web");
  });

  it("offers a reader no Cancel buttons", async () => {
    const response = await page(`/automations/runs/${apiRun}`, readerCookie);
    expect(response.body).not.toContain("Cancel run");
    expect(response.body).toContain("but not write to it");
  });
});

describe("buttons", () => {
  it("refuses a cancel without the session's CSRF token, and cancels nothing", async () => {
    const response = await post(`/automations/runs/${apiRun}/cancel`, writerCookie, { _csrf: "guessed" });
    expect(response.status).toBe(403);
    const [run] = await database.db.select().from(runs).where(eq(runs.id, apiRun));
    expect(run?.cancelledBy).toBeNull();
  });

  it("refuses a cancel posted from another site, even with the token", async () => {
    const token = csrfTokenIn((await page(`/automations/runs/${apiRun}`, writerCookie)).body);
    const response = await post(`/automations/runs/${apiRun}/cancel`, writerCookie, { _csrf: token }, { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(response.status).toBe(403);
    const [run] = await database.db.select().from(runs).where(eq(runs.id, apiRun));
    expect(run?.cancelledBy).toBeNull();
  });

  it("does not let a person with read access only cancel", async () => {
    const token = csrfTokenIn((await page(`/automations/runs/${apiRun}`, readerCookie)).body);
    const response = await post(`/automations/actions/${apiAction}/cancel`, readerCookie, { _csrf: token });
    expect(response.status).toBe(403);
    expect(response.body).toContain("Write access needed");
    const [action] = await database.db.select().from(actions).where(eq(actions.id, apiAction));
    expect(action?.cancelRequestedAt).toBeNull();
  });

  it("cancels a run for a person with write access: pending actions stop, running ones are asked to", async () => {
    const token = csrfTokenIn((await page(`/automations/runs/${apiRun}`, writerCookie)).body);
    const response = await post(`/automations/runs/${apiRun}/cancel`, writerCookie, { _csrf: token });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/automations/runs/${apiRun}`);
    const rows = await database.db.select().from(actions).where(eq(actions.runId, apiRun));
    expect(rows.find((a) => a.repository === "acme/web")?.status).toBe("stopped");
    expect(rows.find((a) => a.repository === "acme/api")?.cancelRequestedAt).not.toBeNull();
    const [run] = await database.db.select().from(runs).where(eq(runs.id, apiRun));
    expect(run?.cancelledBy).toBe("maintainer");
  });
});
