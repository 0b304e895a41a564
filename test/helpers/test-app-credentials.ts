import { generateKeyPairSync } from "node:crypto";
import { ProbotOctokit } from "probot";

// The app's credentials and GitHub client in tests: a key made for the run, and no retries or
// throttling, so a mock answers once and an unexpected call shows.

export const APP_ID = 4242;
export const WEBHOOK_SECRET = "test-webhook-secret";

export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
