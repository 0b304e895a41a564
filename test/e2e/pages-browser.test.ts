import { eq } from "drizzle-orm";
import nock from "nock";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logChunks } from "../../src/execution/logs.sql.js";
import { actions } from "../../src/runs/runs.sql.js";
import { finishAction } from "../../src/runs/transitions.js";
import { launchChromium, shouldSkipBrowserTests } from "../helpers/chromium.js";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { mockRepositories, mockSignIn, startPagesApp, type PagesApp, type Person } from "../helpers/pages-app.js";
import { seedDemo } from "../helpers/seed-pages.js";
import { waitFor } from "../helpers/wait-for.js";

// The pages in a real browser: sign in through GitHub (its authorize page faked in the browser,
// its API mocked at the edge), a running action's log arriving live, cancelling it, comparing runs.

const skip = shouldSkipBrowserTests();
const person: Person = { login: "maintainer", token: "gho_browser", repositories: { "acme/api": "write", "acme/web": "write", "acme/worker": "write" } };

describe.skipIf(skip)("the pages in a browser", () => {
  let database: TestDatabase;
  let app: PagesApp;
  let browser: Browser;
  let page: Page;
  let seeded: Awaited<ReturnType<typeof seedDemo>>;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    database = await createPostgresDatabase();
    seeded = await seedDemo(database.db);
    app = await startPagesApp(database.db, { pollMs: 100 });
    browser = await launchChromium();
    const context = await browser.newContext();
    // GitHub's authorize page, as the test plays it: the person approves, GitHub sends them back with a code.
    await context.route("https://github.com/**", async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname !== "/login/oauth/authorize") return route.abort();
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", "browser-code");
      back.searchParams.set("state", url.searchParams.get("state")!);
      await route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><title>Authorize Automations</title><h1>Authorize Automations</h1>
          <p>client ${url.searchParams.get("client_id")}</p><a id="authorize" href="${back.toString()}">Authorize</a>`,
      });
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.destroy();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("signs in with GitHub and lands on the page that was asked for", async () => {
    mockSignIn(person, "browser-code");
    mockRepositories(person);
    await page.goto(`${app.url}/automations/actions/${seeded.runningAction}`);
    await page.click("text=Sign in with GitHub");
    await page.waitForSelector("text=Authorize Automations");
    expect(await page.textContent("body")).toContain("client Iv1.pagesclient");
    await page.click("#authorize");
    await page.waitForURL(`${app.url}/automations/actions/${seeded.runningAction}`);
    expect(await page.textContent("h1")).toBe("upgrade-node on acme/api");
    expect(await page.textContent("header")).toContain("@maintainer");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("shows log lines of a running action as they are written, colours and all", async () => {
    await page.locator("#log", { hasText: "Reading package.json" }).waitFor();
    await database.db.insert(logChunks).values({ actionId: seeded.runningAction, stepIndex: 1, stream: "stdout", content: "Editing \x1b[32mpackage.json\x1b[0m <engines>\n" });
    await page.locator("#log", { hasText: "Editing package.json <engines>" }).waitFor();
    expect(await page.locator("#log .ansi-green").last().textContent()).toBe("package.json");
    await database.db.insert(logChunks).values({ actionId: seeded.runningAction, stepIndex: 2, stream: "stdout", content: "running the tests\n" });
    await page.locator("#log .step-mark", { hasText: "Test" }).waitFor();
    await page.locator("#log", { hasText: "running the tests" }).waitFor();
    expect(page.url()).toBe(`${app.url}/automations/actions/${seeded.runningAction}`);
  });

  it("cancels the running action and shows it stopped", async () => {
    await page.click("text=Cancel action");
    await page.locator("#action-live .summary .status", { hasText: "stopping" }).waitFor();
    const claim = await waitFor("the cancel to reach the action", async () => {
      const [row] = await database.db.select().from(actions).where(eq(actions.id, seeded.runningAction));
      return row?.cancelRequestedAt ? { actionId: row.id, workerId: row.claimedBy!, attempt: row.attempts } : undefined;
    });
    expect((await database.db.select().from(actions).where(eq(actions.id, seeded.runningAction)))[0]?.reason).toBe("cancelled by @maintainer");
    // The worker holding the action kills its container and ends the action, as it does on a cancel.
    await database.db.insert(logChunks).values({ actionId: seeded.runningAction, stepIndex: -1, stream: "system", content: "Cancelled: container killed\n" });
    expect(await finishAction(database.db, claim, { status: "stopped", reason: "cancelled by @maintainer" })).toBe(true);
    await page.locator("#action-live .summary .status", { hasText: /^stopped$/ }).waitFor();
    await page.locator("#log", { hasText: "Cancelled: container killed" }).waitFor();
    expect(await page.textContent(".failure")).toContain("Stopped: cancelled by @maintainer");
  });

  it("updates a run's counts and actions as they change", async () => {
    await page.goto(`${app.url}/automations/runs/${seeded.runningRun}`);
    const pendingRunning = page.locator("#run-live .summary div", { hasText: "Pending / running" });
    expect(await pendingRunning.textContent()).toContain("2 / 0");
    const [web] = await database.db.select().from(actions).where(eq(actions.runId, seeded.runningRun)).then((rows) => rows.filter((a) => a.repository === "acme/web"));
    await database.db.update(actions).set({ status: "running", startedAt: new Date(), attempts: 1 }).where(eq(actions.id, web!.id));
    app.wakeups.notify("checks");
    await page.locator("#run-live .summary div", { hasText: "1 / 1" }).waitFor();
    await page.locator(`#run-live tr[data-action="${web!.id}"] .status`, { hasText: "running" }).waitFor();
  });

  it("compares two runs of an automation: definition, secrets and targets", async () => {
    await page.goto(`${app.url}/automations/runs/${seeded.failedRun}`);
    await page.click("text=history of upgrade-node");
    await page.check(`tr[data-run="${seeded.doneRun}"] input[name="a"]`);
    await page.check(`tr[data-run="${seeded.failedRun}"] input[name="b"]`);
    await page.click("text=Compare A → B");
    await page.waitForSelector("#definition-diff");
    expect(await page.textContent("#definition-diff tr.changed")).toContain("node:20-bookworm");
    expect(await page.locator("#definition-diff tr.changed td.r").first().textContent()).toContain("node:22-bookworm");
    expect(await page.textContent("#secrets-change")).toContain("ANTHROPIC_API_KEY value changed");
    expect(await page.textContent("#trigger-change")).toContain("@octocat → comment by @hubot-fan");
    const web = page.locator('tr[data-target="acme/web"]');
    expect(await web.locator("td").nth(1).textContent()).toBe("done");
    expect(await web.locator("td").nth(2).textContent()).toBe("failed");
  });
});
