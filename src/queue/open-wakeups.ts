import type { Logger } from "pino";
import type { Database } from "../db/client.js";
import { postgresWakeups } from "./postgres-wakeups.js";
import { inProcessWakeups, type Wakeups } from "./wakeups.js";

/**
 * LISTEN/NOTIFY on PostgreSQL, where several replicas may share the database; in-process on
 * PGlite, which only this process opens.
 */
export function openWakeups(database: Pick<Database, "notifications">, log: Logger): Promise<Wakeups> {
  if (database.notifications) return postgresWakeups(database.notifications, log);
  return Promise.resolve(inProcessWakeups());
}
