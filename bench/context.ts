/** What run.ts hands every benchmark: the shared PostgreSQL server and a way to say what it does. */
export interface BenchContext {
  /** A PostgreSQL server URL; each benchmark makes its own database on it (postgres-server.ts). */
  databaseUrl: string;
  /** Progress for the person watching; not part of the results. */
  progress(message: string): void;
}
