import pino from "pino";
import { ProbotOctokit } from "probot";
import type { InstallationOctokit } from "../src/github-app/installation-octokit.js";

// An installation's GitHub answered in this process: the fetch under an installation Octokit
// serves repositories, branch heads, trees and permissions from memory, so resolving targets
// runs its real requests (pagination included) without the network's time in the figure.

export interface MockRepository {
  fullName: string;
  id: number;
  archived: boolean;
  /** Directories of its tree, e.g. `services/api`. */
  directories: string[];
}

export interface MockInstallation {
  octokit: InstallationOctokit;
  /** Requests answered, by route. */
  requests: Map<string, number>;
}

const json = (url: URL, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const response = new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
  // A constructed Response has no URL; Octokit's pagination reads it as GitHub's answer has one.
  Object.defineProperty(response, "url", { value: url.href });
  return response;
};

export function mockInstallation(repositories: MockRepository[], headSha: (fullName: string) => string): MockInstallation {
  const requests = new Map<string, number>();
  const byName = new Map(repositories.map((r) => [r.fullName.toLowerCase(), r]));
  const count = (route: string) => requests.set(route, (requests.get(route) ?? 0) + 1);
  const repositoryJson = (r: MockRepository) => ({
    id: r.id,
    name: r.fullName.split("/")[1],
    full_name: r.fullName,
    owner: { login: r.fullName.split("/")[0] },
    private: true,
    clone_url: `https://github.com/${r.fullName}.git`,
    default_branch: "main",
    archived: r.archived,
    fork: false,
    topics: [],
  });

  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = url.pathname;
    if (path === "/installation/repositories") {
      count("list repositories");
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const pages = Math.ceil(repositories.length / perPage);
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      return json(url, 
        200,
        { total_count: repositories.length, repositories: repositories.slice((page - 1) * perPage, page * perPage).map(repositoryJson) },
        page < pages ? { link: `<${next.href}>; rel="next"` } : {},
      );
    }
    const repo = /^\/repos\/([^/]+\/[^/]+)\/(.*)$/.exec(path);
    const found = repo ? byName.get(decodeURIComponent(repo[1]!).toLowerCase()) : undefined;
    if (repo && found) {
      const rest = repo[2]!;
      if (rest.startsWith("branches/")) {
        count("branch head");
        return json(url, 200, { name: "main", commit: { sha: headSha(found.fullName) } });
      }
      if (rest.startsWith("git/trees/")) {
        count("tree");
        return json(url, 200, { sha: headSha(found.fullName), truncated: false, tree: found.directories.map((d) => ({ path: d, type: "tree", sha: "f".repeat(40) })) });
      }
      if (rest.startsWith("collaborators/")) {
        count("permission");
        return json(url, 200, { permission: "write", role_name: "write", user: { login: rest.split("/")[1] } });
      }
    }
    count("unexpected");
    return json(url, 404, { message: `the benchmark's mocked installation has nothing at ${path}` });
  };

  const octokit = new ProbotOctokit({
    auth: { token: "ghs_benchmarkInstallationToken000000000000" },
    request: { fetch },
    retry: { enabled: false },
    throttle: { enabled: false },
    log: pino({ level: "silent" }),
  }) as InstallationOctokit;
  return { octokit, requests };
}
