// Screenshots of the app's pages from seeded data, for README: `npx tsx scripts/screenshots.ts`.
// Needs Debian's chromium (/usr/bin/chromium). The database is a throwaway PGlite; GitHub is
// replaced by a stand-in that says the viewer can write to every seeded repository.
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import pino from "pino";
import { openDatabase } from "../src/db/client.js";
import { migrateDatabase } from "../src/db/migrate.js";
import { inProcessWakeups } from "../src/queue/wakeups.js";
import type { GitHubUsers } from "../src/web/github-user.js";
import { cookieSealer } from "../src/web/sealed-cookie.js";
import { webApp } from "../src/web/web-app.js";
import { launchChromium } from "../test/helpers/chromium.js";
import { seedDemo } from "../test/helpers/seed-pages.js";

const out = resolve(process.argv[2] ?? "docs/screenshots");
const dataDir = await mkdtemp(join(tmpdir(), "automations-screenshots-"));
const database = await openDatabase({ dataDir });
await migrateDatabase(database);
const seeded = await seedDemo(database.db);

const sessionSecret = "screenshots";
const users: GitHubUsers = {
  exchangeCode: async () => "token",
  user: async () => ({ login: "octocat", id: 1 }),
  repositories: async () => new Map([["acme/api", "write"], ["acme/web", "write"], ["acme/worker", "write"]] as const),
};
const app = webApp({
  db: database.db,
  wakeups: inProcessWakeups(),
  config: { oauth: { clientId: "x", clientSecret: "y" }, githubUrl: "https://github.com", apiUrl: "https://api.github.com", publicUrl: undefined, sessionSecret },
  users,
  log: pino({ level: "warn" }),
  // Shows the Run button on the history; the screenshots never start a run.
  octokitFor: async () => {
    throw new Error("the screenshots start no runs");
  },
});
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0, overrideGlobalObjects: false });
await new Promise((r) => server.once("listening", r));
const address = server.address();
const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const session = cookieSealer(sessionSecret, "session").seal({ login: "octocat", token: "token", csrf: "screenshots" }, 3_600_000);
  await context.addCookies([{ name: "automations_session", value: session, url: `${base}/automations` }]);
  const page = await context.newPage();
  await mkdir(out, { recursive: true });
  const shots: Array<[string, string]> = [
    ["runs", "/automations"],
    ["run", `/automations/runs/${seeded.failedRun}`],
    ["action", `/automations/actions/${seeded.failedAction}`],
    ["action-live", `/automations/actions/${seeded.runningAction}`],
    ["history", "/automations/history/acme/.github/upgrade-node"],
    ["compare", `/automations/history/acme/.github/upgrade-node/compare?a=${seeded.doneRun}&b=${seeded.failedRun}`],
  ];
  for (const [name, path] of shots) {
    await page.goto(`${base}${path}`);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`wrote ${join(out, `${name}.png`)}`);
  }
} finally {
  await browser.close();
  server.close();
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
}
