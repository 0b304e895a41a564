import { Octokit } from "@octokit/rest";
import type { PagesConfig } from "./pages-config.js";

/** What a signed-in person may do in a repository, as GitHub says through the app's installations. */
export type RepositoryAccess = "read" | "write";

/** GitHub as the pages need it for a person: the OAuth code exchange, who they are, what they can see. */
export interface GitHubUsers {
  /** The person's token for an OAuth code GitHub sent back to the callback. */
  exchangeCode(code: string, redirectUri: string): Promise<string>;
  user(token: string): Promise<{ login: string; id: number }>;
  /** `owner/repo` → access, for every repository of the app's installations the person can read. */
  repositories(token: string): Promise<Map<string, RepositoryAccess>>;
}

export class SignInError extends Error {
  override readonly name = "SignInError";
}

export function gitHubUsers(config: Pick<PagesConfig, "oauth" | "githubUrl" | "apiUrl">): GitHubUsers {
  const octokit = (token: string) => new Octokit({ auth: token, baseUrl: config.apiUrl, userAgent: "automations-pages" });
  return {
    async exchangeCode(code, redirectUri) {
      if (!config.oauth) throw new SignInError("sign-in is not configured: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET");
      const response = await fetch(`${config.githubUrl}/login/oauth/access_token`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({
          client_id: config.oauth.clientId,
          client_secret: config.oauth.clientSecret,
          code,
          redirect_uri: redirectUri,
        }),
      });
      const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
      if (!response.ok || !body.access_token) {
        const why = body.error_description ?? body.error ?? `HTTP ${response.status}`;
        throw new SignInError(`GitHub did not accept the sign-in code (${why})`);
      }
      return body.access_token;
    },
    async user(token) {
      const { data } = await octokit(token).rest.users.getAuthenticated();
      return { login: data.login, id: data.id };
    },
    async repositories(token) {
      const client = octokit(token);
      const access = new Map<string, RepositoryAccess>();
      const installations = await client.paginate(client.rest.apps.listInstallationsForAuthenticatedUser, { per_page: 100 });
      for (const installation of installations) {
        const repos = await client.paginate(client.rest.apps.listInstallationReposForAuthenticatedUser, {
          installation_id: installation.id,
          per_page: 100,
        });
        for (const repo of repos) {
          const p = repo.permissions;
          access.set(repo.full_name.toLowerCase(), p?.push || p?.maintain || p?.admin ? "write" : "read");
        }
      }
      return access;
    },
  };
}

/**
 * Remembers each person's repositories for a short while: every page asks, and GitHub's answer
 * takes a few calls. A token's entry is dropped when it expires, so access lost on GitHub is
 * lost here within `ttlMs`.
 */
export function cachedRepositories(users: GitHubUsers, ttlMs = 60_000, now: () => number = Date.now) {
  const cache = new Map<string, { expires: number; value: Promise<Map<string, RepositoryAccess>> }>();
  return (token: string): Promise<Map<string, RepositoryAccess>> => {
    const at = now();
    for (const [key, entry] of cache) if (entry.expires <= at) cache.delete(key);
    const hit = cache.get(token);
    if (hit) return hit.value;
    const value = users.repositories(token);
    cache.set(token, { expires: at + ttlMs, value });
    // A failed lookup is not remembered: the next page asks again.
    value.catch(() => cache.delete(token));
    return value;
  };
}
