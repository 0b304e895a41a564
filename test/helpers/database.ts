import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { createFreshDatabase } from "./postgres-server.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";

export interface TestDatabase extends Database {
  url: string | undefined;
  /** Closes and drops it. */
  destroy(): Promise<void>;
}

/** A fresh, migrated database of its own on the suite's PostgreSQL, so test files never meet. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  return createFreshDatabase(inject("databaseUrl"), "automations_test");
}

/** The embedded default: PGlite in a data directory of its own. */
export async function createPgliteDatabase(): Promise<TestDatabase & { dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), "automations-pglite-"));
  const database = await openDatabase({ dataDir });
  await migrateDatabase(database);
  return {
    ...database,
    url: undefined,
    dataDir,
    async destroy() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
