import { createHash, randomBytes } from "node:crypto";

/** What the app's own pages need: sign-in with GitHub and a key for the session cookie. */
export interface PagesConfig {
  /** The app's OAuth credentials (Probot's manifest flow stores them); null: sign-in is not set up. */
  oauth: { clientId: string; clientSecret: string } | null;
  /** Where people sign in: https://github.com, or the GitHub Enterprise Server. */
  githubUrl: string;
  /** GitHub's REST API for the signed-in person's calls. */
  apiUrl: string;
  /** The app's public address, for the OAuth callback; unset: the address the browser used. */
  publicUrl: string | undefined;
  /** Secret material the session cookie is sealed with. */
  sessionSecret: string;
}

/**
 * Reads the pages' settings from the environment. The session key is SESSION_SECRET, or derived
 * from WEBHOOK_SECRET (already a secret the operator keeps); with neither, a random key lasts as
 * long as the process, so people sign in again after a restart.
 */
export function readPagesConfig(env: NodeJS.ProcessEnv, publicUrl: string | undefined): PagesConfig {
  const clientId = env.GITHUB_CLIENT_ID?.trim();
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim();
  const host = env.GHE_HOST?.trim();
  const protocol = env.GHE_PROTOCOL?.trim() || "https";
  const githubUrl = host ? `${protocol}://${host}` : "https://github.com";
  const apiUrl = host ? `${protocol}://${host}/api/v3` : "https://api.github.com";
  const sessionSecret =
    env.SESSION_SECRET?.trim() ||
    (env.WEBHOOK_SECRET?.trim()
      ? createHash("sha256").update(`automations pages session\0${env.WEBHOOK_SECRET.trim()}`).digest("hex")
      : randomBytes(32).toString("hex"));
  return {
    oauth: clientId && clientSecret ? { clientId, clientSecret } : null,
    githubUrl,
    apiUrl,
    publicUrl,
    sessionSecret,
  };
}
