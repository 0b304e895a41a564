import { existsSync } from "node:fs";
import { run } from "probot";
import { ConfigError, readConfig, type AppConfig } from "./config.js";
import { openDatabase } from "./db/client.js";
import { migrateDatabase } from "./db/migrate.js";
import { automationsApp } from "./index.js";
import pino from "pino";
import { openWakeups } from "./queue/open-wakeups.js";
import { DockerRuntime } from "./execution/docker/docker-runtime.js";
import { startBackground, type Background } from "./background.js";

// `npm start`: the database (PGlite when DATABASE_URL is unset), migrations, then Probot's server
// (its setup page when the app has no credentials yet), workers and reporter in this process.
// The app's own settings may sit in .env beside Probot's; variables already set win.
if (existsSync(".env")) process.loadEnvFile(".env");

let config: AppConfig;
try {
  config = readConfig();
} catch (error) {
  // A misconfigured environment is the operator's to fix: one clear line, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
// A first PGlite start creates the database cluster, which takes seconds on a busy machine.
console.info(config.databaseUrl ? "opening the PostgreSQL database" : `opening the embedded database in ${config.dataDir}`);
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await migrateDatabase(database);
// LISTEN/NOTIFY on PostgreSQL, so wake-ups and cancels reach every replica; in-process on PGlite.
const wakeups = await openWakeups(database, pino({ name: "wakeups" }));
let background: Background | null = null;

const server = await run(
  automationsApp({
    db: database.db,
    wakeups,
    pages: config.pages ? { config: config.pages } : undefined,
    onLoad: (app, deliveryHandlers, ingress) => {
      background = startBackground({ app, db: database.db, wakeups, runtime: new DockerRuntime(), config, log: app.log, deliveryHandlers, ingress });
      app.log.info(
        { database: database.kind, workers: config.workerConcurrency, dataDir: config.dataDir },
        "automations ready",
      );
    },
  }),
);

// Probot's own Ctrl-C handler exits before the workers are done; this one replaces it.
process.removeAllListeners("SIGINT");
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.info(`${signal}: finishing running actions, then stopping`);
  try {
    await background?.stop();
    await server.stop();
    await wakeups.close?.();
    await database.close();
    process.exit(0);
  } catch (err) {
    console.error("could not stop cleanly:", err);
    process.exit(1);
  }
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
