import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { main } from "../../src/cli/main.js";
import journal from "../../drizzle/meta/_journal.json" with { type: "json" };

// Replicas started together against one new PostgreSQL database each migrate it at start.

const serverUrl = inject("databaseUrl");
const name = `automations_migrate_${randomBytes(6).toString("hex")}`;
let admin: pg.Client;
const opened: Database[] = [];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
});
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe("migrating at start (PostgreSQL)", () => {
  it("lets four replicas starting at once on an empty database all start, each migration applied once", async () => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const log = pino({ level: "silent" });
    const replicas = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir(), log })));
    opened.push(...replicas);

    const outcomes = await Promise.allSettled(replicas.map((replica) => migrateDatabase(replica)));

    expect(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : "migrated"))).toEqual(["migrated", "migrated", "migrated", "migrated"]);
    const result = (await replicas[0]!.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as { rows: Array<{ n: number }> };
    const [applied] = result.rows;
    expect(applied?.n).toBe(journal.entries.length);
  });
});

describe("automations migrate", () => {
  const captured = () => {
    const output = { stdout: [] as string[], stderr: [] as string[], out: (line: string) => output.stdout.push(line), err: (line: string) => output.stderr.push(line) };
    return output;
  };

  it("migrates the database DATABASE_URL names, saying which", async () => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const output = captured();
    // The database of the test above, already migrated: nothing is left to apply.
    expect(await main(["migrate"], output, tmpdir(), { DATABASE_URL: url.toString() })).toBe(0);
    expect(output.stdout).toEqual([`migrated PostgreSQL at ${url.host}/${name}`]);
  });

  it("migrates the embedded database in DATA_DIR when no DATABASE_URL is set", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "automations-migrate-"));
    try {
      const output = captured();
      expect(await main(["migrate"], output, dataDir, { DATA_DIR: dataDir })).toBe(0);
      expect(output.stdout).toEqual([`migrated the embedded database in ${dataDir}`]);
      const database = await openDatabase({ dataDir });
      try {
        const result = (await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as { rows: Array<{ n: number }> };
        expect(result.rows[0]?.n).toBe(journal.entries.length);
      } finally {
        await database.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("says what was wrong, and exits 1, when the database cannot be reached", async () => {
    const output = captured();
    expect(await main(["migrate"], output, tmpdir(), { DATABASE_URL: "postgres://nobody:secret@127.0.0.1:1/none" })).toBe(1);
    expect(output.stderr.join("\n")).toMatch(/^automations migrate: could not migrate PostgreSQL at 127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
    expect(output.stderr.join("\n")).not.toContain("secret");
  });
});
