import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import { splitRepository } from "../github-app/installation-octokit.js";
import { mayContainProjects } from "./match-projects.js";
import type { CandidateRepository } from "./target.js";

/** What resolving targets reads from GitHub; tests and other callers may put something else here. */
export interface TargetsGitHub {
  /** Every repository the installation can access. */
  accessibleRepositories(): Promise<CandidateRepository[]>;
  /** The commit at the head of the default branch, or null when the repository has no commits. */
  defaultBranchHead(repository: CandidateRepository): Promise<string | null>;
  /** The directories at `commit` where `projectGlobs` could match, or "too-large" past a bound. */
  directories(repository: string, commit: string, projectGlobs: readonly string[]): Promise<string[] | "too-large">;
}

/** How many single-directory listings a search of one truncated tree may take. */
const maxTreeRequestsPerRepository = 200;

/**
 * The GitHub API as resolving targets uses it. Answers are kept for the life of the object (one
 * command), so `list` counting several automations over the same repositories asks once.
 */
export function gitHubTargets(octokit: InstallationOctokit): TargetsGitHub {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let value = memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      value.catch(() => memo.delete(key));
      memo.set(key, value);
    }
    return value;
  };

  return {
    accessibleRepositories: () =>
      once("repositories", async () => {
        const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
        return repositories.map(
          (repo): CandidateRepository => ({
            fullName: repo.full_name,
            id: repo.id,
            cloneUrl: repo.clone_url,
            defaultBranch: repo.default_branch,
            archived: repo.archived,
            fork: repo.fork,
            topics: repo.topics ?? [],
          }),
        );
      }),

    defaultBranchHead: (repository) =>
      once(`head ${repository.fullName.toLowerCase()}`, async () => {
        const { owner, repo } = splitRepository(repository.fullName);
        try {
          const { data } = await octokit.rest.repos.getBranch({ owner, repo, branch: repository.defaultBranch });
          return data.commit.sha;
        } catch (err) {
          // An empty repository has no branch to read.
          if (statusOf(err) === 404) return null;
          throw err;
        }
      }),

    directories: (repository, commit, projectGlobs) =>
      once(`tree ${repository.toLowerCase()} ${commit} ${projectGlobs.join(" ")}`, () =>
        listDirectories(octokit, repository, commit, projectGlobs),
      ),
  };
}

async function listDirectories(
  octokit: InstallationOctokit,
  repository: string,
  commit: string,
  projectGlobs: readonly string[],
): Promise<string[] | "too-large"> {
  const { owner, repo } = splitRepository(repository);
  const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: commit, recursive: "true" });
  if (!data.truncated) return data.tree.filter((entry) => entry.type === "tree" && entry.path).map((entry) => entry.path as string);

  // GitHub cut the recursive listing short (about 100,000 entries): list one directory at a time,
  // descending only where a project glob could still match.
  const directories: string[] = [];
  const pending: Array<{ path: string; sha: string }> = [{ path: "", sha: commit }];
  let requests = 0;
  for (let next = pending.shift(); next; next = pending.shift()) {
    if (++requests > maxTreeRequestsPerRepository) return "too-large";
    const { data: level } = await octokit.rest.git.getTree({ owner, repo, tree_sha: next.sha });
    if (level.truncated) return "too-large";
    for (const entry of level.tree) {
      if (entry.type !== "tree" || !entry.path || !entry.sha) continue;
      const path = next.path === "" ? entry.path : `${next.path}/${entry.path}`;
      directories.push(path);
      if (mayContainProjects(path, projectGlobs)) pending.push({ path, sha: entry.sha });
    }
  }
  return directories;
}

export function statusOf(err: unknown): number | null {
  return typeof err === "object" && err !== null && "status" in err && typeof err.status === "number" ? err.status : null;
}
