import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../src/config.js";

const error = (env: NodeJS.ProcessEnv) => {
  try {
    readConfig(env);
  } catch (err) {
    return err;
  }
  return null;
};

describe("the app's configuration from the environment", () => {
  it("takes PUBLIC_URL as the app's address, with or without a trailing slash", () => {
    expect(readConfig({ PUBLIC_URL: "https://automations.example.com" }).publicUrl).toBe("https://automations.example.com");
    expect(readConfig({ PUBLIC_URL: "http://localhost:3000/" }).publicUrl).toBe("http://localhost:3000/");
    expect(readConfig({ PUBLIC_URL: "" }).publicUrl).toBeUndefined();
  });

  it("refuses a PUBLIC_URL with a path, saying where the pages are served", () => {
    const refused = error({ PUBLIC_URL: "https://example.com/tools/automations" });
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toBe(
      "Invalid configuration in the environment: PUBLIC_URL: must be the app's address without a path, e.g. https://automations.example.com: its pages are served at /automations of it. See the configuration table in README.md.",
    );
  });

  it("refuses a PUBLIC_URL that is no web address", () => {
    expect((error({ PUBLIC_URL: "ftp://example.com" }) as Error).message).toContain("PUBLIC_URL: must start with https:// (or http://)");
    expect((error({ PUBLIC_URL: "automations.example.com" }) as Error).message).toContain("PUBLIC_URL:");
  });
});
