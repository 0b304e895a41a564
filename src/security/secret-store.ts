import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";

// Secret values come from where the app runs, never from a definition (DESIGN.md §5.4):
// `AUTOMATION_SECRET_<NAME>` environment variables, and optionally a file named by SECRETS_FILE
// (dotenv lines `NAME=value`, or a JSON object `{"NAME": "value"}` when it ends in .json).
// The environment wins over the file, so one value can be overridden without editing it.

export const SECRET_ENV_PREFIX = "AUTOMATION_SECRET_";

export interface SecretStore {
  /** The value of secret `name`, or undefined when none is configured. */
  value(name: string): string | undefined;
  /** Where an operator sets secret `name`, for messages. */
  whereToSet(name: string): string;
  /** A keyed hash of each value, to tell later whether a secret changed; null without a key. */
  fingerprints(values: Record<string, string>): Record<string, string> | null;
}

export class SecretsFileError extends Error {
  override readonly name = "SecretsFileError";
}

export function secretStore(options: {
  values: Record<string, string>;
  /** Key for the fingerprints' HMAC; without one no fingerprints are recorded. */
  fingerprintKey?: string | undefined;
  /** The secrets file, named in messages. */
  file?: string | undefined;
}): SecretStore {
  const values = new Map(Object.entries(options.values));
  const key = options.fingerprintKey;
  return {
    value: (name) => values.get(name),
    whereToSet: (name) =>
      `set ${SECRET_ENV_PREFIX}${name} where the app runs` +
      (options.file === undefined ? " (or a SECRETS_FILE with that name)" : ` or ${name} in ${options.file}`),
    fingerprints: (given) =>
      key === undefined
        ? null
        : Object.fromEntries(
            Object.entries(given).map(([name, value]) => [
              name,
              `hmac-sha256:${createHmac("sha256", key).update(value).digest("hex")}`,
            ]),
          ),
  };
}

/**
 * The secrets configured in `env`: AUTOMATION_SECRET_<NAME> variables and the SECRETS_FILE.
 * The fingerprint key is SECRETS_FINGERPRINT_KEY, else one derived from WEBHOOK_SECRET, so
 * fingerprints are comparable across restarts without another setting.
 */
export function readSecrets(env: NodeJS.ProcessEnv, readFile: (path: string) => string = (path) => readFileSync(path, "utf8")): SecretStore {
  const file = env.SECRETS_FILE || undefined;
  const values: Record<string, string> = file === undefined ? {} : readSecretsFile(file, readFile);
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(SECRET_ENV_PREFIX) && key.length > SECRET_ENV_PREFIX.length && value !== undefined) {
      values[key.slice(SECRET_ENV_PREFIX.length)] = value;
    }
  }
  const explicitKey = env.SECRETS_FINGERPRINT_KEY || undefined;
  const webhookSecret = env.WEBHOOK_SECRET || undefined;
  const fingerprintKey =
    explicitKey ??
    (webhookSecret === undefined
      ? undefined
      : createHmac("sha256", webhookSecret).update("automations secret fingerprints").digest("hex"));
  return secretStore({ values, fingerprintKey, file });
}

function readSecretsFile(file: string, readFile: (path: string) => string): Record<string, string> {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    throw new SecretsFileError(`SECRETS_FILE ${file} could not be read (${code}); fix the path or unset SECRETS_FILE.`);
  }
  const entries = file.endsWith(".json") ? parseJsonSecrets(file, text) : parseEnv(text);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined) continue;
    // Either spelling works in the file: NAME or AUTOMATION_SECRET_NAME.
    values[key.startsWith(SECRET_ENV_PREFIX) ? key.slice(SECRET_ENV_PREFIX.length) : key] = value;
  }
  return values;
}

function parseJsonSecrets(file: string, text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SecretsFileError(`SECRETS_FILE ${file} is not valid JSON (${(err as Error).message}); write an object {"NAME": "value"}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SecretsFileError(`SECRETS_FILE ${file} must hold a JSON object {"NAME": "value"}.`);
  }
  const wrong = Object.entries(parsed).find(([, value]) => typeof value !== "string");
  if (wrong) {
    throw new SecretsFileError(`SECRETS_FILE ${file}: the value of ${wrong[0]} must be a string; quote it.`);
  }
  return parsed as Record<string, string>;
}

export type SecretsForAction =
  | { ok: true; values: Record<string, string> }
  | { ok: false; reason: string };

/** The values of the secrets a definition lists, or why the action cannot have them. */
export function secretsFor(store: SecretStore, names: readonly string[]): SecretsForAction {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = store.value(name);
    if (value === undefined || value === "") missing.push(name);
    else values[name] = value;
  }
  if (missing.length === 0) return { ok: true, values };
  const reason = missing
    .map((name) => `secret ${name} has no value: ${store.whereToSet(name)}`)
    .join("; ");
  return { ok: false, reason };
}
