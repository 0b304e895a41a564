import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import { isAutomationName } from "./automation-name.js";

const directory = ".github/automations";

/**
 * The automation names (file names without `.yml`) in a repository's `.github/automations`, on
 * `ref` or the default branch (undefined), sorted; none when the directory or repository is not there.
 */
export async function listDefinitionNames(
  octokit: InstallationOctokit,
  owner: string,
  repo: string,
  ref: string | undefined,
): Promise<string[]> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: directory, ...(ref ? { ref } : {}) });
    if (!Array.isArray(data)) return [];
    return data
      .filter((entry) => entry.type === "file" && entry.name.endsWith(".yml"))
      .map((entry) => entry.name.slice(0, -".yml".length))
      // A file `/automation run` could never name is not an automation; the loader reads only these.
      .filter(isAutomationName)
      .sort();
  } catch (err) {
    if (typeof err === "object" && err !== null && "status" in err && err.status === 404) return [];
    throw err;
  }
}
