import { hintFor } from "./workspace.js";
import { PublishError, type HostGit } from "./host-git.js";

/**
 * Commits `tree` on top of `baseSha` as the app and force-pushes it to `branch`: the branch holds
 * the latest run's changes, replacing an earlier run's.
 */
export async function commitAndPush(
  git: HostGit,
  options: { tree: string; baseSha: string; message: string; cloneUrl: string; repository: string; branch: string },
): Promise<{ commitSha: string }> {
  const { tree, baseSha, message, cloneUrl, repository, branch } = options;

  // git's own rule for branch names, applied before anything leaves the host.
  const format = await git.run(["check-ref-format", "--branch", branch]);
  if (format.code !== 0 || branch.startsWith("-")) {
    throw new PublishError(`"${branch}" is not a branch name git accepts. Set pull_request.branch to a valid branch name.`);
  }

  const commit = await git.run(["commit-tree", tree, "-p", baseSha, "-m", message]);
  const commitSha = commit.stdout.trim();
  if (commit.code !== 0 || !/^[0-9a-f]{40,64}$/.test(commitSha)) {
    throw new PublishError(`Could not commit the changes: ${git.said(commit)}. Check that git works on this host.`);
  }

  // Negotiation lets the server say which commits it has, so a shallow workspace sends only the change.
  const push = await git.run([
    "-c",
    "push.negotiate=true",
    "push",
    "--force",
    "--porcelain",
    cloneUrl,
    `${commitSha}:refs/heads/${branch}`,
  ]);
  if (push.code !== 0) {
    const said = pushRefusal(git.mask(push.stdout), git.mask(push.stderr)) ?? git.said(push);
    throw new PublishError(`Could not push the changes to branch "${branch}" of ${repository}: ${said}. ${pushHint(push.stdout + push.stderr)}`);
  }
  return { commitSha };
}

// `--porcelain` prints `!<tab>src:dst<tab>[remote rejected] (why)` for a refused ref; the server's
// own explanation (GitHub's "GH006: Protected branch update failed …") is in the `remote:` lines.
function pushRefusal(stdout: string, stderr: string): string | null {
  const line = stdout.split("\n").find((l) => l.startsWith("!"));
  const why = line?.split("\t")[2]?.trim();
  if (!why) return null;
  const remote = stderr
    .split("\n")
    .filter((l) => l.startsWith("remote:"))
    .map((l) => l.slice("remote:".length).trim())
    .filter((l) => l.length > 0)
    .slice(0, 5);
  return remote.length > 0 ? `${why}: ${remote.join(" / ")}` : why;
}

/** What to do about a refused push, judged from git's output. */
export function pushHint(output: string): string {
  if (/refusing to allow a GitHub App to create or update workflow/i.test(output)) {
    return "Changing files under .github/workflows needs the app's `workflows: write` permission; grant it, or leave those files unchanged.";
  }
  if (/protected branch|GH006|pre-receive hook declined|declined|rejected/i.test(output)) {
    return "The repository refuses pushes to this branch (branch protection or a server hook). Choose another pull_request.branch, or allow the app to push to it.";
  }
  if (/\b403\b|Permission to .* denied|not allowed to push/i.test(output)) {
    return "The app needs the `contents: write` permission on the repository; accept it in the installation's settings.";
  }
  if (/cannot lock ref|directory file conflict|unable to create directory/i.test(output)) {
    return "A branch with a conflicting name exists (for example `automation/x` blocks `automation/x/y`). Delete it or choose another pull_request.branch.";
  }
  return hintFor("push", output);
}
