import { hostname } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
import { readPagesConfig, type PagesConfig } from "./web/pages-config.js";
import { readSecrets, SecretsFileError, type SecretStore } from "./security/secret-store.js";

// The app's own settings (DESIGN.md §7); Probot reads its own (APP_ID, PRIVATE_KEY, …) itself.
const envSchema = z.object({
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().default("./data"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).default(2),
  INSTALLATION_CONCURRENCY: z.coerce.number().int().min(0).default(0),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
  PUBLIC_URL: z
    .string()
    .url()
    // What is no URL at all is `url()`'s to report.
    .refine((value) => !URL.canParse(value) || /^https?:$/.test(new URL(value).protocol), "must start with https:// (or http://)")
    // Pages, their sign-in and the links in checks and pull requests are all at /automations of
    // this address; behind a path of its own they would point past it.
    .refine((value) => {
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return url.pathname === "/" && url.search === "" && url.hash === "";
    }, "must be the app's address without a path, e.g. https://automations.example.com: its pages are served at /automations of it")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  WORKER_ID: z.string().optional(),
  APP_SLUG: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/i, "must be the app's slug as in its URL on GitHub, e.g. my-automations")
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

export interface AppConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  workspaceRoot: string;
  /** Fetched commits kept per repository, so actions on a commit fetched before clone it locally; absent: no cache. */
  repositoryCacheDir?: string;
  workerConcurrency: number;
  /** Actions of one installation executing at once across all replicas (INSTALLATION_CONCURRENCY); 0 or absent: no limit. */
  installationConcurrency?: number;
  /** How long running actions may finish after SIGTERM before they are killed and handed back; absent: 30 s. */
  shutdownGraceMs?: number;
  publicUrl: string | undefined;
  workerId: string;
  leaseMs: number;
  pollMs: number;
  /** The app's own pages under /automations; absent: not served. */
  pages?: PagesConfig;
  /** Secret values for containers (AUTOMATION_SECRET_<NAME>, SECRETS_FILE); absent: none. */
  secrets?: SecretStore;
  /** The app's slug (APP_SLUG): its commits are authored as `<slug>[bot]`; absent: `automations`. */
  appSlug?: string | undefined;
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
    repositoryCacheDir: resolve(dataDir, "repository-cache"),
    workerConcurrency: e.WORKER_CONCURRENCY,
    installationConcurrency: e.INSTALLATION_CONCURRENCY,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    publicUrl: e.PUBLIC_URL,
    workerId: e.WORKER_ID ?? `${hostname()}:${process.pid}`,
    leaseMs: 30_000,
    pollMs: 5_000,
    pages: readPagesConfig(env, e.PUBLIC_URL),
    secrets: readSecretsOrFail(env),
    appSlug: e.APP_SLUG,
  };
}

function readSecretsOrFail(env: NodeJS.ProcessEnv): SecretStore {
  try {
    return readSecrets(env);
  } catch (err) {
    if (err instanceof SecretsFileError) throw new ConfigError(err.message);
    throw err;
  }
}
