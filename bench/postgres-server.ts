import { sql } from "drizzle-orm";
import type { Db } from "../src/db/client.js";
import { createFreshDatabase, startPostgresServer as startServer, type FreshDatabase, type PostgresServer } from "../test/helpers/postgres-server.js";

// The benchmarks' PostgreSQL: BENCH_DATABASE_URL when given, otherwise an embedded server started
// for the run, as the test suite does. Each benchmark gets a fresh, migrated database of its own.

export type { PostgresServer };
export type BenchDatabase = FreshDatabase;

export const startPostgresServer = (): Promise<PostgresServer> => startServer(process.env.BENCH_DATABASE_URL);

export const createBenchDatabase = (serverUrl: string): Promise<BenchDatabase> => createFreshDatabase(serverUrl, "automations_bench");

/** The server processes of the database's connections, when PostgreSQL runs on this machine. */
export async function postgresConnectionPids(db: Db): Promise<number[]> {
  const result = (await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`)) as unknown as { rows: Array<{ pid: number }> };
  return result.rows.map((row) => Number(row.pid));
}
