import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { count, sql } from "drizzle-orm";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { openDatabase } from "../../src/db/client.js";
import { runs } from "../../src/runs/runs.sql.js";
import { freePort } from "../helpers/free-port.js";

// `npm start` for real: `tsx src/main.ts` from this repository in a child process, as README.md's
// "Start" section promises it behaves. tsx compiles on the fly; a first PGlite start takes seconds.

const repo = fileURLToPath(new URL("../..", import.meta.url));
const tsx = join(repo, "node_modules", ".bin", "tsx");
const main = join(repo, "src", "main.ts");

// Generous: tsx compiles the app on the fly and PGlite creates its cluster, on a shared machine.
const STARTUP_MS = 90_000;
const STOP_MS = 5_000;

/** Everything from the parent environment that would change what the app or Probot does. */
const INHERITED_SETTINGS = [
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "WEBHOOK_PATH",
  "WEBHOOK_PROXY_URL",
  "GHE_HOST",
  "GHE_PROTOCOL",
  "PROJECT_DOMAIN",
  "REDIS_URL",
  "SENTRY_DSN",
  "LOG_LEVEL",
  "LOG_FORMAT",
  "LOG_LEVEL_IN_STRING",
  "LOG_MESSAGE_KEY",
  "PORT",
  "HOST",
  "NODE_ENV",
  "DATABASE_URL",
  "DATA_DIR",
  "WORKER_CONCURRENCY",
  "WORKER_ID",
  "PUBLIC_URL",
];

interface StartedApp {
  child: ChildProcess;
  port: number;
  /** stdout and stderr so far, interleaved, without colours. */
  output(): string;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: StartedApp[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map(stop));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The working directory the app is started in. Probot reads `.env` (run() → applyEnv, which
 * overrides the environment) and a lone `*.pem` (get-private-key) from the working directory, so a
 * developer's local set-up in the repository would leak into the cases. This directory has only
 * what Probot and tsx legitimately read from it: package.json (the setup page's name and
 * manifest), app.yml when there is one, and tsconfig.json. The code itself runs from the repository.
 */
async function workingDirectory(): Promise<string> {
  const cwd = await tempDir("automations-cwd-");
  for (const name of ["package.json", "tsconfig.json", "app.yml"]) {
    if (existsSync(join(repo, name))) await symlink(join(repo, name), join(cwd, name));
  }
  return cwd;
}

async function startApp(settings: { dataDir: string; env?: Record<string, string> }): Promise<StartedApp> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SETTINGS) delete env[name];
  Object.assign(env, {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: settings.dataDir,
    // The setup page would otherwise fetch smee-client with npx and open a channel on smee.io,
    // then write WEBHOOK_PROXY_URL to `.env`: network the test neither needs nor may rely on.
    NO_SMEE_SETUP: "true",
    ...settings.env,
  });

  // Its own process group, so that tsx and the node process it starts can be stopped together.
  const child = spawn(tsx, [main], { cwd: await workingDirectory(), env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const app: StartedApp = {
    child,
    port,
    output: () => stripVTControlCharacters(output),
    exit: undefined,
    exited: new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        app.exit = { code, signal };
        resolve(app.exit);
      });
    }),
  };
  started.push(app);
  return app;
}

/** Polls until `ready` holds; fails early, with the app's output, if the app exits or takes too long. */
async function waitUntil(app: StartedApp, what: string, ready: (output: string) => boolean, timeoutMs = STARTUP_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ready(app.output())) return;
    if (app.exit) throw new Error(`the app exited (${JSON.stringify(app.exit)}) before ${what}; its output:\n${app.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the app's output:\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function waitForListening(app: StartedApp) {
  return waitUntil(app, `it to listen on port ${app.port}`, (o) => o.includes(`Listening on http://127.0.0.1:${app.port}`));
}

function killGroup(app: StartedApp, signal: NodeJS.Signals) {
  try {
    process.kill(-app.child.pid!, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** SIGTERM (as `kill` would send it), then SIGKILL for the whole group after a few seconds. */
async function stop(app: StartedApp): Promise<void> {
  if (!app.exit) {
    // To tsx only: it relays the signal to the app and exits with it.
    app.child.kill("SIGTERM");
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STOP_MS));
    if ((await Promise.race([app.exited, timer])) === "timeout") killGroup(app, "SIGKILL");
    await app.exited;
  }
  // Nothing of the group may outlive the test, whatever tsx did.
  killGroup(app, "SIGKILL");
}

/** The name Probot's setup page registers the app under: app.yml's, else package.json's. */
async function appName(): Promise<string> {
  const appYml = join(repo, "app.yml");
  const manifest = existsSync(appYml) ? (parseYaml(await readFile(appYml, "utf8")) as { name?: string } | null) : null;
  return manifest?.name ?? (JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { name: string }).name;
}

/** The tables the migrations in drizzle/ create. */
async function migratedTables(): Promise<string[]> {
  const folder = join(repo, "drizzle");
  const names = new Set<string>();
  for (const file of (await readdir(folder)).filter((f) => f.endsWith(".sql"))) {
    const text = await readFile(join(folder, file), "utf8");
    for (const m of text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"(?:public"\.")?(\w+)"/gi)) names.add(m[1]!);
  }
  return [...names].sort();
}

describe("npm start (tsx src/main.ts)", () => {
  it("without credentials or DATABASE_URL: serves Probot's setup page and creates and migrates PGlite in DATA_DIR, again on a second start", async () => {
    const dataDir = join(await tempDir("automations-data-"), "data"); // not there yet: the app creates it
    const tables = await migratedTables();
    expect(tables).toContain("runs");

    const first = await startApp({ dataDir });
    await waitForListening(first);

    const root = await fetch(`http://127.0.0.1:${first.port}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    const location = root.headers.get("location");
    expect(location).toBe("/probot");
    const setup = await fetch(new URL(location!, `http://127.0.0.1:${first.port}/`));
    expect(setup.status).toBe(200);
    expect(setup.headers.get("content-type")).toMatch(/text\/html/);
    const html = await setup.text();
    expect(html).toMatch(/register a new app on GitHub/i);
    expect(html).toContain("Register GitHub App");
    // The manifest it would register: app.yml's (or package.json's) name, and back to this server,
    // webhooks included (with no smee.io channel here, to the address the page was opened at).
    const manifest = JSON.parse(/name="manifest"[^>]*value='([^']*)'/.exec(html)?.[1] ?? "null") as Record<string, unknown> | null;
    expect(manifest).toMatchObject({
      name: await appName(),
      redirect_url: `http://127.0.0.1:${first.port}/probot/setup`,
      hook_attributes: { url: `http://127.0.0.1:${first.port}/` },
    });
    expect(first.output()).toMatch(/Probot is in setup mode/);

    await stop(first);
    expect(first.exit).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, "pglite", "PG_VERSION"))).toBe(true);

    // Migrated: every table exists and is empty.
    const database = await openDatabase({ dataDir });
    try {
      const tablesFound = (await database.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      )) as unknown as { rows: Array<{ table_name: string }> };
      expect(tablesFound.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(tables));
      expect(await database.db.select({ count: count() }).from(runs)).toEqual([{ count: 0 }]);
    } finally {
      await database.close();
    }

    // The same DATA_DIR again: the migrations run again without harm.
    const second = await startApp({ dataDir });
    await waitForListening(second);
    expect((await fetch(`http://127.0.0.1:${second.port}/probot`)).status).toBe(200);
    await stop(second);
    expect(second.exit).toEqual({ code: 0, signal: null });
    for (const app of [first, second]) expect(app.output()).not.toMatch(/^(WARN|ERROR|FATAL)\b/m);
  }, 240_000);

  it("with DATABASE_URL and credentials: migrates the empty PostgreSQL database, loads the app and answers /ping", async () => {
    const serverUrl = inject("databaseUrl");
    const name = `automations_e2e_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    cleanups.push(async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();

    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
    });
    const dataDir = join(await tempDir("automations-data-"), "data");
    const app = await startApp({
      dataDir,
      env: { DATABASE_URL: databaseUrl, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "x", WORKER_CONCURRENCY: "0" },
    });
    await waitUntil(app, "the 'automations ready' log line", (o) => o.includes("automations ready"));
    await waitForListening(app);
    expect(app.output()).not.toMatch(/setup mode/);

    const ping = await fetch(`http://127.0.0.1:${app.port}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe("PONG");

    await stop(app);
    expect(app.exit).toEqual({ code: 0, signal: null });
    // PostgreSQL, so nothing embedded was created.
    expect(existsSync(join(dataDir, "pglite"))).toBe(false);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
      );
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(await migratedTables()));
      const { rows: [count] } = await db.query<{ count: number }>("select count(*)::int as count from runs");
      expect(count?.count).toBe(0);
    } finally {
      await db.end();
    }
  }, 120_000);

  it("with an invalid setting: exits with code 1 and one line naming it", async () => {
    const dataDir = join(await tempDir("automations-data-"), "data");
    const app = await startApp({ dataDir, env: { WORKER_CONCURRENCY: "abc" } });
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STARTUP_MS));
    const exit = await Promise.race([app.exited, timer]);
    expect(exit, `the app did not exit; its output:\n${app.output()}`).not.toBe("timeout");

    expect(app.exit).toEqual({ code: 1, signal: null });
    // One line saying what is wrong, and no stack trace.
    const output = app.output();
    const naming = output.split("\n").filter((line) => line.includes("WORKER_CONCURRENCY"));
    expect(naming, output).toEqual([expect.stringMatching(/^Invalid configuration in the environment: WORKER_CONCURRENCY: .*README\.md\.$/)]);
    expect(output).not.toMatch(/^\s+at |ConfigError|\.ts:\d+/m);
    // It stopped before touching the database.
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);
});
