import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { forgetMirroredCommits, mirrorCommit, type MirroredCommit } from "./repository-mirror.js";
import { cloneWorkspace, type Workspace } from "./workspace.js";
import { throwIfStopped } from "../queue/stop-request.js";
import { errorMessage } from "../error-message.js";

export interface CheckedOutTarget extends Workspace {
  /** The repository cache holding `headSha`, when the checkout came from it. */
  cachedGitDir?: string;
}

/**
 * Checks the target out into `dir`: through the repository cache (./repository-mirror.ts) when it
 * works, so a commit fetched once is not fetched over the network again; otherwise, or when the
 * cache fails for any reason, straight from the repository as before.
 */
export async function checkOutTarget(options: {
  /** Where the repository caches live; absent: every checkout is cloned straight from the repository. */
  cacheDir: string | undefined;
  installationId: number;
  cloneUrl: string;
  ref: string;
  token: string;
  dir: string;
  log: (line: string) => void;
  /** The action's stop request: git is killed, and neither the cache nor a direct clone goes on. */
  signal?: AbortSignal;
}): Promise<CheckedOutTarget> {
  const { cacheDir, installationId, cloneUrl, ref, token, dir, log, signal } = options;
  if (cacheDir === undefined) return cloneWorkspace({ cloneUrl, ref, token, dir, log, signal });
  let cached: MirroredCommit | undefined;
  try {
    cached = await mirrorCommit({ mirrorRoot: cacheDir, installationId, cloneUrl, ref, token, signal });
    const workspace = await cloneWorkspace({ cloneUrl, ref, token, dir, log, cached, signal });
    return { ...workspace, cachedGitDir: cached.gitDir };
  } catch (err) {
    // Stopped, not failed: no clone is tried instead.
    if (signal) throwIfStopped(signal);
    if (cached) forgetMirroredCommits(cached.gitDir);
    log(`The repository cache could not be used (${errorMessage(err)}); cloning directly`);
  }
  // Whatever the failed attempt left goes first: a clone needs the directory empty. The directory
  // itself stays, as a container may already have it mounted.
  await emptyDirectory(dir);
  return cloneWorkspace({ cloneUrl, ref, token, dir, log, signal });
}

async function emptyDirectory(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => []);
  await Promise.all(entries.map((name) => rm(join(dir, name), { recursive: true, force: true })));
}
