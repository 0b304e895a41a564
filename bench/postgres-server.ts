import { createFreshDatabase, startPostgresServer as startServer, type FreshDatabase, type PostgresServer } from "../test/helpers/postgres-server.js";

// The benchmarks' PostgreSQL: BENCH_DATABASE_URL when given, otherwise an embedded server started
// for the run, as the test suite does. Each benchmark gets a fresh, migrated database of its own.

export type { PostgresServer };
export type BenchDatabase = FreshDatabase;

export const startPostgresServer = (): Promise<PostgresServer> => startServer(process.env.BENCH_DATABASE_URL);

export const createBenchDatabase = (serverUrl: string): Promise<BenchDatabase> => createFreshDatabase(serverUrl, "automations_bench");
