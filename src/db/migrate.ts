import { fileURLToPath } from "node:url";
import type pg from "pg";
import type { Database } from "./client.js";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** The advisory lock replicas take to migrate one at a time (any number the app uses for nothing else). */
const MIGRATION_LOCK = 0x6175746f; // "auto"

/**
 * Applies the migrations in `drizzle/`: the same files on PostgreSQL and PGlite. On PostgreSQL,
 * replicas starting together migrate one after the other (drizzle's migrator takes no lock of its
 * own, so two would apply the same migration at once and one would fail to start); the later ones
 * then find nothing left to apply.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === "postgres") {
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    const pool = (database.db as unknown as { $client: pg.Pool }).$client;
    const session = await pool.connect();
    try {
      await session.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      await migrate(database.db as any, { migrationsFolder });
    } finally {
      // A session that cannot say it is done is ended instead, which releases the lock as well.
      const unlocked = await session.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).then(
        () => true,
        () => false,
      );
      session.release(!unlocked);
    }
  } else {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(database.db as any, { migrationsFolder });
  }
}
