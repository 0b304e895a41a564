import { copyFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hintFor } from "./workspace.js";
import { createGitDir } from "./git-dir.js";
import { PublishError, type HostGit } from "./host-git.js";

export type DetectedChanges =
  | { changed: false }
  /** `tree`: the workspace as a git tree; `files`: git's name-status lines against the base. */
  | { changed: true; tree: string; files: string[] };

/**
 * Compares the workspace with the commit it was cloned at: tracked and untracked files, minus what
 * the repository's .gitignore excludes. The base commit is fetched again into the host's git
 * directory (from the repository cache when it holds it), so the comparison never trusts what the
 * container left in the workspace's `.git`.
 */
export async function detectChanges(
  git: HostGit,
  options: {
    cloneUrl: string;
    baseSha: string;
    /** A local repository holding `baseSha` (the repository cache), read instead of `cloneUrl`. */
    baseSource?: string;
    /** The checkout's index from before the steps: with it, an unchanged workspace is told in one git command. */
    baseIndex?: string;
  },
): Promise<DetectedChanges> {
  const { baseSha } = options;
  const must = async (args: string[], what: string, hint: string) => {
    const result = await git.run(args);
    if (result.code !== 0) throw new PublishError(`Could not compare the workspace with ${baseSha}: ${what} failed: ${git.said(result)}. ${hint}`);
    return result.stdout;
  };
  const local = "Check that git works on this host and the workspace is readable by the app.";

  await createGitDir(git.gitDir).catch((err: Error) => {
    throw new PublishError(`Could not compare the workspace with ${baseSha}: the host's git directory could not be made: ${err.message}. ${local}`);
  });
  // The index git wrote at checkout holds the base commit's files: nothing modified, deleted or
  // added (what .gitignore excludes aside) means no change, and no object is needed to tell. A
  // file whose status differs from the index's is hashed and compared; any write changes a
  // file's ctime, which no step can set back.
  if (options.baseIndex !== undefined && (await copyFile(options.baseIndex, join(git.gitDir, "index")).then(() => true, () => false))) {
    const listed = await must(["ls-files", "-z", "--modified", "--deleted", "--others", "--exclude-standard"], "git ls-files", local);
    if (listed.length === 0) return { changed: false };
  }
  // From the cache, the base commit's objects are borrowed rather than copied: the host's git
  // directory is short-lived and never mounted, and nothing is ever removed from the cache.
  const borrowed = options.baseSource !== undefined && (await borrowObjects(git.gitDir, options.baseSource, baseSha));
  if (!borrowed || (await git.run(["read-tree", baseSha])).code !== 0) {
    // The cache is only a cache: when it fails, the repository itself has the commit.
    if (borrowed) await forgetBorrowedObjects(git.gitDir);
    const fetched = await git.run(["fetch", "--quiet", "--no-tags", "--depth", "1", options.cloneUrl, "--end-of-options", baseSha]);
    if (fetched.code !== 0) {
      throw new PublishError(`Could not compare the workspace with ${baseSha}: fetching it again failed: ${git.said(fetched)}. ${hintFor("fetch", fetched.stderr)}`);
    }
    await must(["read-tree", baseSha], "git read-tree", local);
  }
  await must(["add", "--all", "."], "git add", local);
  // Every difference between the index and the base shows here, so no output means no change,
  // and no tree needs writing.
  const files = (await must(["diff", "--cached", "--no-renames", "--name-status", baseSha], "git diff", local))
    .split("\n")
    .filter((line) => line.length > 0);
  if (files.length === 0) return { changed: false };
  const tree = (await must(["write-tree"], "git write-tree", local)).trim();
  return { changed: true, tree, files };
}

/**
 * Lets `gitDir` read the objects of the repository at `source` in place, with `baseSha` marked
 * as having no parents here, as a one-commit-deep fetch would leave it. False when not possible.
 */
async function borrowObjects(gitDir: string, source: string, baseSha: string): Promise<boolean> {
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(baseSha)) return false;
  try {
    await writeFile(join(gitDir, "objects", "info", "alternates"), `${join(source, "objects")}\n`);
    await writeFile(join(gitDir, "shallow"), `${baseSha}\n`);
    return true;
  } catch {
    return false;
  }
}

async function forgetBorrowedObjects(gitDir: string): Promise<void> {
  await rm(join(gitDir, "objects", "info", "alternates"), { force: true });
  await rm(join(gitDir, "shallow"), { force: true });
}
