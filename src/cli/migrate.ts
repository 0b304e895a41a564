import { ConfigError, readConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { migrateDatabase } from "../db/migrate.js";
import type { CliOutput } from "./validate.js";
import { errorMessage } from "../error-message.js";

// `automations migrate`: the database brought to this version's schema, as the app does at
// start, for a deployment that migrates once before starting its replicas.

/** Migrates the database the environment names (DATABASE_URL, or PGlite in DATA_DIR); returns the exit code. */
export async function migrateCommand(output: CliOutput, env: NodeJS.ProcessEnv): Promise<number> {
  let where: string;
  let database;
  try {
    const config = readConfig(env);
    where = config.databaseUrl ? `PostgreSQL at ${describeUrl(config.databaseUrl)}` : `the embedded database in ${config.dataDir}`;
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    output.err(`automations migrate: ${err instanceof ConfigError ? err.message : `could not open the database: ${errorMessage(err)}`}`);
    return 1;
  }
  try {
    await migrateDatabase(database);
    output.out(`migrated ${where}`);
    return 0;
  } catch (err) {
    output.err(`automations migrate: could not migrate ${where}: ${errorMessage(err)}`);
    return 1;
  } finally {
    await database.close();
  }
}

/** The server and database, never the password. */
function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}
