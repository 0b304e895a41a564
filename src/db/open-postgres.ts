import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Logger } from "pino";
import type { Database, Db } from "./client.js";
import { listenWithReconnect } from "./postgres-listener.js";
import * as schema from "./schema.js";

/**
 * A pool of node-postgres connections. When the server ends sessions (a restart, a failover, an
 * administrator's pg_terminate_backend), queries on them fail with an error their caller handles,
 * the pool drops those connections and opens new ones on demand; nothing is thrown outside a query.
 */
export function openPostgres(url: string, log: Logger): Database {
  const config: pg.ClientConfig = {
    connectionString: url,
    // How operators tell the app's sessions apart in pg_stat_activity; the URL's own setting wins.
    application_name: "automations",
    // A server that accepts no connections must fail the request, not hang it.
    connectionTimeoutMillis: 10_000,
  };
  const pool = new pg.Pool({ ...config, max: 10, idleTimeoutMillis: 30_000 });
  const lost = (err: Error) => log.warn({ err }, "a database connection was closed by the server; it will be replaced");
  // A connection whose session ended reports on itself, and on the pool too while it is idle.
  // Unheard, either error would crash the process; heard, the next query on that connection fails,
  // its caller handles that, and the pool drops the connection (at once when idle, else when it is
  // given back). Every connection has its own listener, so the pool's need not log again.
  pool.on("connect", (client) => client.on("error", lost));
  pool.on("error", () => {});
  const db = drizzle({ client: pool, schema });
  // drizzle-orm checks a connection out of a pool and sends BEGIN outside its try/finally: when
  // BEGIN fails because the session just ended, that connection is never given back and the pool
  // loses a slot for good (ten such and every query waits forever). So transactions run on a
  // connection checked out here and always given back; the pool drops it if its session ended.
  // One drizzle per connection, made on its first transaction: making one reads the whole schema.
  const onConnection = new WeakMap<pg.PoolClient, NodePgDatabase<typeof schema>>();
  db.transaction = async (work, config) => {
    const client = await pool.connect();
    try {
      const session = onConnection.get(client) ?? drizzle({ client, schema });
      onConnection.set(client, session);
      return await session.transaction(work, config);
    } finally {
      client.release();
    }
  };
  return {
    db: db as unknown as Db,
    kind: "postgres",
    notifications: {
      listen: (channel, onNotify, onListen) => listenWithReconnect(config, channel, onNotify, onListen, log),
      notify: async (channel, payload) => {
        await pool.query("select pg_notify($1, $2)", [channel, payload]);
      },
    },
    close: () => pool.end(),
  };
}
