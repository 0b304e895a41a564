import type { InstallationOctokit } from "../github-app/installation-octokit.js";

export interface DefinitionSource {
  /** `owner/repo` the file was read from. */
  repository: string;
  path: string;
  ref: string;
  source: string;
  sha: string;
}

export type DefinitionLookup =
  | { kind: "found"; file: DefinitionSource }
  | { kind: "missing"; searched: string[] };

export const definitionPath = (name: string) => `.github/automations/${name}.yml`;

/**
 * Reads a definition from the default branch of the repository, then of the owner's `.github`
 * repository. Never from a pull request's head: a pull request must not choose what runs with
 * the app's credentials.
 */
export async function loadDefinitionSource(
  octokit: InstallationOctokit,
  where: { owner: string; repo: string; defaultBranch: string },
  name: string,
): Promise<DefinitionLookup> {
  const path = definitionPath(name);
  const own = await readDefinitionFile(octokit, where.owner, where.repo, path, where.defaultBranch);
  if (own) return { kind: "found", file: own };
  const searched = [`${where.owner}/${where.repo}:${path} (branch ${where.defaultBranch})`];
  if (where.repo !== ".github") {
    const shared = await readDefinitionFile(octokit, where.owner, ".github", path, undefined);
    if (shared) return { kind: "found", file: shared };
    searched.push(`${where.owner}/.github:${path} (default branch)`);
  }
  return { kind: "missing", searched };
}

/** One definition file from a branch (`ref`) or the default branch (undefined); null when it is not there. */
export async function readDefinitionFile(
  octokit: InstallationOctokit,
  owner: string,
  repo: string,
  path: string,
  ref: string | undefined,
): Promise<DefinitionSource | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ...(ref ? { ref } : {}) });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) {
      throw new Error(`${owner}/${repo}:${path} is not a file`);
    }
    const source = Buffer.from(data.content, (data.encoding as BufferEncoding) || "base64").toString("utf8");
    return { repository: `${owner}/${repo}`, path, ref: ref ?? "default branch", source, sha: data.sha };
  } catch (err) {
    // 404: no such file, or a repository the installation cannot see; both mean "not here".
    if (typeof err === "object" && err !== null && "status" in err && err.status === 404) return null;
    throw err;
  }
}
