import { sql, type SQL } from "drizzle-orm";

/** `ms` as a PostgreSQL interval, to whole milliseconds. */
export function millisecondsInterval(ms: number): SQL {
  return sql`${`${Math.round(ms)} milliseconds`}::interval`;
}

/**
 * The database's time `ms` from now (before now when negative). Leases and delays are reckoned by
 * the database's clock, so replicas whose own clocks differ agree on them.
 */
export function fromNow(ms: number): SQL {
  return sql`now() + ${millisecondsInterval(ms)}`;
}
