import { describe, expect, it } from "vitest";
import { readSecrets, secretsFor, secretStore, SecretsFileError } from "../../src/security/secret-store.js";

const files: Record<string, string> = {
  "/etc/automations/secrets.env": "NPM_TOKEN=from-file\nAUTOMATION_SECRET_DEPLOY_KEY=\"deploy key\"\n# a comment\n",
  "/etc/automations/secrets.json": JSON.stringify({ NPM_TOKEN: "from-json" }),
  "/etc/automations/bad.json": "{ not json",
  "/etc/automations/number.json": JSON.stringify({ PORT: 1 }),
};
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error("missing"), { code: "ENOENT" });
  return text;
};

describe("readSecrets", () => {
  const cases: { behaviour: string; env: Record<string, string>; name: string; expected: string | undefined }[] = [
    { behaviour: "a value comes from AUTOMATION_SECRET_<NAME>", env: { AUTOMATION_SECRET_NPM_TOKEN: "from-env" }, name: "NPM_TOKEN", expected: "from-env" },
    { behaviour: "a value comes from a dotenv SECRETS_FILE", env: { SECRETS_FILE: "/etc/automations/secrets.env" }, name: "NPM_TOKEN", expected: "from-file" },
    { behaviour: "the file may spell names with the prefix", env: { SECRETS_FILE: "/etc/automations/secrets.env" }, name: "DEPLOY_KEY", expected: "deploy key" },
    { behaviour: "a value comes from a JSON SECRETS_FILE", env: { SECRETS_FILE: "/etc/automations/secrets.json" }, name: "NPM_TOKEN", expected: "from-json" },
    {
      behaviour: "the environment wins over the file",
      env: { SECRETS_FILE: "/etc/automations/secrets.env", AUTOMATION_SECRET_NPM_TOKEN: "from-env" },
      name: "NPM_TOKEN",
      expected: "from-env",
    },
    { behaviour: "other environment variables are not secrets", env: { NPM_TOKEN: "plain" }, name: "NPM_TOKEN", expected: undefined },
  ];

  it.each(cases)("$behaviour", ({ env, name, expected }) => {
    expect(readSecrets(env, readFile).value(name)).toBe(expected);
  });

  const fileErrors: { behaviour: string; file: string; message: RegExp }[] = [
    { behaviour: "a missing file names the path", file: "/etc/automations/nope.env", message: /SECRETS_FILE \/etc\/automations\/nope\.env could not be read \(ENOENT\)/ },
    { behaviour: "invalid JSON says what to write", file: "/etc/automations/bad.json", message: /not valid JSON.*\{"NAME": "value"\}/ },
    { behaviour: "a non-string value asks for quotes", file: "/etc/automations/number.json", message: /value of PORT must be a string/ },
  ];

  it.each(fileErrors)("$behaviour", ({ file, message }) => {
    expect(() => readSecrets({ SECRETS_FILE: file }, readFile)).toThrow(SecretsFileError);
    expect(() => readSecrets({ SECRETS_FILE: file }, readFile)).toThrow(message);
  });
});

describe("secretsFor", () => {
  const store = secretStore({ values: { NPM_TOKEN: "abc", EMPTY: "" } });

  it("gives the listed secrets and nothing else", () => {
    expect(secretsFor(store, ["NPM_TOKEN"])).toEqual({ ok: true, values: { NPM_TOKEN: "abc" } });
    expect(secretsFor(store, [])).toEqual({ ok: true, values: {} });
  });

  it("names a listed secret with no value and where to set it", () => {
    const result = secretsFor(store, ["NPM_TOKEN", "DEPLOY_KEY", "EMPTY"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain("secret DEPLOY_KEY has no value: set AUTOMATION_SECRET_DEPLOY_KEY where the app runs");
    expect(result.reason).toContain("secret EMPTY has no value");
    expect(result.reason).not.toContain("NPM_TOKEN has no value");
  });

  it("names the secrets file when there is one", () => {
    const withFile = secretStore({ values: {}, file: "/etc/automations/secrets.env" });
    const result = secretsFor(withFile, ["X"]);
    expect(result).toEqual({
      ok: false,
      reason: "secret X has no value: set AUTOMATION_SECRET_X where the app runs or X in /etc/automations/secrets.env",
    });
  });
});

describe("fingerprints", () => {
  it("are keyed hashes that never contain the value and change when the value does", () => {
    const store = readSecrets({ WEBHOOK_SECRET: "webhook" }, readFile);
    const first = store.fingerprints({ NPM_TOKEN: "value-one" });
    const again = store.fingerprints({ NPM_TOKEN: "value-one" });
    const changed = store.fingerprints({ NPM_TOKEN: "value-two" });
    expect(first?.NPM_TOKEN).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(first)).not.toContain("value-one");
    expect(again).toEqual(first);
    expect(changed?.NPM_TOKEN).not.toBe(first?.NPM_TOKEN);
  });

  it("depend on the key, so they cannot be looked up without it", () => {
    const a = readSecrets({ SECRETS_FINGERPRINT_KEY: "key-a" }, readFile).fingerprints({ X: "v" });
    const b = readSecrets({ SECRETS_FINGERPRINT_KEY: "key-b" }, readFile).fingerprints({ X: "v" });
    expect(a?.X).not.toBe(b?.X);
  });

  it("are not recorded without a key", () => {
    expect(readSecrets({}, readFile).fingerprints({ X: "v" })).toBeNull();
  });
});
