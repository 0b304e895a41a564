import { hintFor } from "./workspace.js";
import { PublishError, type HostGit } from "./host-git.js";

export type DetectedChanges =
  | { changed: false }
  /** `tree`: the workspace as a git tree; `files`: git's name-status lines against the base. */
  | { changed: true; tree: string; files: string[] };

/**
 * Compares the workspace with the commit it was cloned at: tracked and untracked files, minus what
 * the repository's .gitignore excludes. The base commit is fetched again into the host's git
 * directory, so the comparison never trusts what the container left in the workspace's `.git`.
 */
export async function detectChanges(git: HostGit, options: { cloneUrl: string; baseSha: string }): Promise<DetectedChanges> {
  const { cloneUrl, baseSha } = options;
  const must = async (args: string[], what: string, hint: string) => {
    const result = await git.run(args);
    if (result.code !== 0) throw new PublishError(`Could not compare the workspace with ${baseSha}: ${what} failed: ${git.said(result)}. ${hint}`);
    return result.stdout;
  };
  const local = "Check that git works on this host and the workspace is readable by the app.";

  await must(["init", "--quiet"], "git init", local);
  const fetch = ["fetch", "--quiet", "--no-tags", "--depth", "1", cloneUrl, "--end-of-options", baseSha];
  const fetched = await git.run(fetch);
  if (fetched.code !== 0) {
    throw new PublishError(`Could not compare the workspace with ${baseSha}: fetching it again failed: ${git.said(fetched)}. ${hintFor("fetch", fetched.stderr)}`);
  }
  await must(["read-tree", baseSha], "git read-tree", local);
  await must(["add", "--all", "."], "git add", local);
  const tree = (await must(["write-tree"], "git write-tree", local)).trim();
  const baseTree = (await must(["rev-parse", `${baseSha}^{tree}`], "git rev-parse", local)).trim();
  if (tree === baseTree) return { changed: false };
  const files = (await must(["diff", "--cached", "--no-renames", "--name-status", baseSha], "git diff", local))
    .split("\n")
    .filter((line) => line.length > 0);
  return { changed: true, tree, files };
}
