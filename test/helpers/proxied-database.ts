import { tmpdir } from "node:os";
import { sql } from "drizzle-orm";
import pino from "pino";
import { openDatabase, type Database } from "../../src/db/client.js";
import { createPostgresDatabase, type TestDatabase } from "./database.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

export interface ProxiedDatabase {
  /** The database itself, for the test to read and write while the app's way to it is cut. */
  direct: TestDatabase;
  /** The same database reached through `proxy`, for the app. */
  proxied: Database;
  proxy: TcpProxy;
  /** As a restart begins: every session of the database ends, and new ones are refused until `proxy.restore()`. */
  goDown(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh database the app reaches through a proxy the test can cut, as a restart or outage would. */
export async function openProxiedDatabase(): Promise<ProxiedDatabase> {
  const direct = await createPostgresDatabase();
  const url = new URL(direct.url!);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  url.port = String(proxy.port);
  // Sessions ended on purpose are expected here, so not logged.
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const proxied = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir(), log });
  return {
    direct,
    proxied,
    proxy,
    async goDown() {
      proxy.refuseNew();
      await direct.db.execute(
        sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
      );
    },
    async close() {
      await proxied.close();
      await proxy.close();
      await direct.destroy();
    },
  };
}
