import { hostname } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";

// The app's own settings (DESIGN.md §7); Probot reads its own (APP_ID, PRIVATE_KEY, …) itself.
const envSchema = z.object({
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().default("./data"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).default(2),
  PUBLIC_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  WORKER_ID: z.string().optional(),
});

export interface AppConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  workspaceRoot: string;
  workerConcurrency: number;
  publicUrl: string | undefined;
  workerId: string;
  leaseMs: number;
  pollMs: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid configuration in the environment: ${problems}. See the configuration table in README.md.`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    workspaceRoot: resolve(dataDir, "workspaces"),
    workerConcurrency: e.WORKER_CONCURRENCY,
    publicUrl: e.PUBLIC_URL,
    workerId: e.WORKER_ID ?? `${hostname()}:${process.pid}`,
    leaseMs: 30_000,
    pollMs: 5_000,
  };
}
