import { GitHubRequestError, type PullRequestsApi } from "../execution/pull-requests-api.js";
import { splitRepository, type OctokitForInstallation } from "./installation-octokit.js";

export function octokitPulls(octokitFor: OctokitForInstallation): PullRequestsApi {
  return {
    async defaultBranch(installationId, repository) {
      const octokit = await octokitFor(installationId);
      const { data } = await octokit.rest.repos.get(splitRepository(repository)).catch(rethrow);
      return data.default_branch;
    },
    async findOpen(installationId, repository, branch) {
      const octokit = await octokitFor(installationId);
      const { owner, repo } = splitRepository(repository);
      const { data } = await octokit.rest.pulls.list({ owner, repo, state: "open", head: `${owner}:${branch}`, per_page: 1 }).catch(rethrow);
      const found = data[0];
      return found ? { number: found.number, url: found.html_url } : null;
    },
    async create(installationId, repository, pullRequest) {
      const octokit = await octokitFor(installationId);
      const { data } = await octokit.rest.pulls.create({ ...splitRepository(repository), ...pullRequest }).catch(rethrow);
      return { number: data.number, url: data.html_url };
    },
    async update(installationId, repository, number, fields) {
      const octokit = await octokitFor(installationId);
      const { data } = await octokit.rest.pulls.update({ ...splitRepository(repository), pull_number: number, ...fields }).catch(rethrow);
      return { number: data.number, url: data.html_url };
    },
    async addLabels(installationId, repository, number, labels) {
      if (labels.length === 0) return;
      const octokit = await octokitFor(installationId);
      await octokit.rest.issues.addLabels({ ...splitRepository(repository), issue_number: number, labels: [...labels] }).catch(rethrow);
    },
  };
}

interface RequestErrorLike {
  status: number;
  response?: { data?: unknown };
}

// Octokit's RequestError carries GitHub's answer; keep its message and each listed error, which is
// where GitHub says what was invalid ("A pull request already exists for …").
function rethrow(error: unknown): never {
  if (typeof error === "object" && error !== null && typeof (error as RequestErrorLike).status === "number") {
    const { status, response } = error as RequestErrorLike;
    const data = (response?.data ?? {}) as { message?: unknown; errors?: unknown };
    const parts = [typeof data.message === "string" ? data.message : (error as Error).message];
    if (Array.isArray(data.errors)) {
      for (const item of data.errors) {
        const text = typeof item === "string" ? item : (item as { message?: unknown })?.message;
        if (typeof text === "string" && text) parts.push(text);
      }
    }
    throw new GitHubRequestError(status, parts.join(": "));
  }
  throw error;
}
