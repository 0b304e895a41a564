import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pino, { type Logger } from "pino";
import * as schema from "./schema.js";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The handle a `db.transaction` callback is given. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DatabaseKind = "postgres" | "pglite";

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** LISTEN/NOTIFY, on PostgreSQL only (src/queue/postgres-wakeups.ts). */
  notifications?: NotificationChannel;
  close(): Promise<void>;
}

/** PostgreSQL's LISTEN/NOTIFY; `onListen` runs on each (re)connect of the listening connection. */
export interface NotificationChannel {
  listen(channel: string, onNotify: (payload: string) => void, onListen: () => void): Promise<{ unlisten(): Promise<void> }>;
  notify(channel: string, payload: string): Promise<void>;
}

/** PostgreSQL through node-postgres when a URL is given; otherwise PGlite stored in `dataDir`. */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string; log?: Logger }): Promise<Database> {
  if (options.databaseUrl) {
    const { openPostgres } = await import("./open-postgres.js");
    return openPostgres(options.databaseUrl, options.log ?? pino({ name: "database" }));
  }
  const dir = join(options.dataDir, "pglite");
  await mkdir(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const client = await PGlite.create(dir);
  return {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: "pglite",
    close: () => client.close(),
  };
}
