import { describe, expect, it } from "vitest";
import { readPagesConfig } from "../../src/web/pages-config.js";

describe("the pages' settings", () => {
  it("signs in on github.com by default, and on GitHub Enterprise Server when GHE_HOST is set", () => {
    expect(readPagesConfig({}, undefined)).toMatchObject({ githubUrl: "https://github.com", apiUrl: "https://api.github.com", oauth: null });
    expect(readPagesConfig({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "http" }, undefined)).toMatchObject({
      githubUrl: "http://ghe.example.com",
      apiUrl: "http://ghe.example.com/api/v3",
    });
  });

  it("takes the OAuth credentials only when both are set", () => {
    expect(readPagesConfig({ GITHUB_CLIENT_ID: "Iv1.x" }, undefined).oauth).toBeNull();
    expect(readPagesConfig({ GITHUB_CLIENT_ID: "Iv1.x", GITHUB_CLIENT_SECRET: "s" }, undefined).oauth).toEqual({ clientId: "Iv1.x", clientSecret: "s" });
  });

  it("keys the session with SESSION_SECRET, else a key derived from WEBHOOK_SECRET that is not the webhook secret itself", () => {
    expect(readPagesConfig({ SESSION_SECRET: "s1", WEBHOOK_SECRET: "w" }, undefined).sessionSecret).toBe("s1");
    const derived = readPagesConfig({ WEBHOOK_SECRET: "w" }, undefined).sessionSecret;
    expect(derived).not.toBe("w");
    expect(readPagesConfig({ WEBHOOK_SECRET: "w" }, undefined).sessionSecret).toBe(derived);
    // Neither: a random key, so sessions last as long as the process.
    expect(readPagesConfig({}, undefined).sessionSecret).not.toBe(readPagesConfig({}, undefined).sessionSecret);
  });
});
