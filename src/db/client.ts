import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema.js";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
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

/** PostgreSQL through postgres.js when a URL is given; otherwise PGlite stored in `dataDir`. */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  if (options.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    // No type fetch on connect: it is a query of its own whose failure, when the database drops a
    // connection, surfaces as an unhandled rejection; the app uses no array types that need it.
    const client = postgres(options.databaseUrl, { max: 10, onnotice: () => {}, fetch_types: false });
    return {
      db: drizzle(client, { schema }) as unknown as Db,
      kind: "postgres",
      notifications: {
        // postgres.js keeps one extra connection for LISTEN and re-listens after a reconnect.
        listen: async (channel, onNotify, onListen) => {
          const meta = await client.listen(channel, onNotify, onListen);
          return { unlisten: () => meta.unlisten() };
        },
        notify: async (channel, payload) => {
          await client.notify(channel, payload);
        },
      },
      close: () => client.end({ timeout: 5 }),
    };
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
