import { createHash, randomUUID } from "node:crypto";
import { access, mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { cleanProcessEnvironment, gitAuthEnvironment, isAcceptableRef, maskToken, nonEmptyLines, runGit } from "./workspace.js";

// A cache of fetched commits per repository, on the host beside the workspaces and never mounted
// into a container. An action whose commit is already here clones it locally instead of over the
// network, and the change detection after its steps reads the base commit from here instead of
// fetching it a second time. It is only a cache: whoever uses it falls back to the network when
// it fails. The token reaches git only through its environment, so it is in no file of the cache.

export interface MirroredCommit {
  /** The cache's bare git directory; a local fetch of `sha` from it needs no token. */
  gitDir: string;
  sha: string;
  /** A pack file of the cache holding every object of `sha` (one commit deep), when known: copied, it makes a checkout without a fetch. */
  pack?: string;
}

export interface MirrorCommitOptions {
  /** Where the caches live: one bare repository per installation and clone URL. */
  mirrorRoot: string;
  /** One cache per installation, so no installation reads what another one fetched. */
  installationId: number;
  cloneUrl: string;
  /** A commit SHA or a branch name; a branch is always fetched, to get its newest commit. */
  ref: string;
  token: string;
  /** The action's stop request: its fetch is killed, and no more git is started for it. */
  signal?: AbortSignal;
}

// Settings of every cache: any commit it holds can be fetched from it without a ref naming it;
// no automatic gc (it would repack under a concurrent local fetch); fetched objects always land
// as a whole pack, so a fetch cut short never leaves a commit without its files.
const MIRROR_CONFIG: Array<[string, string]> = [
  ["uploadpack.allowAnySHA1InWant", "true"],
  ["gc.auto", "0"],
  ["maintenance.auto", "false"],
  ["fetch.unpackLimit", "1"],
  ["core.hooksPath", "/dev/null"],
];

// Updates of one cache run one at a time in this process (git's shallow file takes a lock);
// local fetches from it need no turn.
const updating = new Map<string, Promise<unknown>>();

function inTurn<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = updating.get(key) ?? Promise.resolve();
  const current = previous.catch(() => {}).then(task);
  updating.set(key, current);
  void current.catch(() => {}).finally(() => {
    if (updating.get(key) === current) updating.delete(key);
  });
  return current;
}

export function mirrorDirFor(mirrorRoot: string, installationId: number, cloneUrl: string): string {
  const key = createHash("sha256").update(`${installationId}\n${cloneUrl}`).digest("hex").slice(0, 32);
  return join(mirrorRoot, `${key}.git`);
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

// Commits this process has seen in each cache, so that using one again runs no git command, each
// with the pack its fetch wrote when known. Held with the cache directory's identity (inode and
// birth time): a cache removed and made again (by another process's sweep) starts with nothing
// known. Should a known commit still be missing, the checkout from the cache fails and the action
// clones directly (./check-out-target.ts).
const knownCommits = (() => {
  const MAX_PER_CACHE = 1_000;
  const byCache = new Map<string, { identity: string; packs: Map<string, string | undefined> }>();
  return {
    get(gitDir: string, identity: string, sha: string): { pack: string | undefined } | null {
      const known = byCache.get(gitDir);
      return known?.identity === identity && known.packs.has(sha) ? { pack: known.packs.get(sha) } : null;
    },
    add(gitDir: string, identity: string, sha: string, pack: string | undefined) {
      let known = byCache.get(gitDir);
      if (known?.identity !== identity || known.packs.size >= MAX_PER_CACHE) byCache.set(gitDir, (known = { identity, packs: new Map() }));
      // A fetch of a commit already here writes no pack: the one known stays.
      if (pack !== undefined || !known.packs.has(sha)) known.packs.set(sha, pack);
    },
    forget: (gitDir: string) => byCache.delete(gitDir),
  };
})();

/** After a checkout from the cache failed: what this process knew of it is checked again next time. */
export function forgetMirroredCommits(gitDir: string): void {
  knownCommits.forget(gitDir);
}

/**
 * Makes sure the cache holds the commit `ref` names and says which one it is: a commit SHA the
 * cache already holds costs no network; anything else is fetched (one commit deep) with the token.
 * Throws an Error with git's words, masked, when that fails.
 */
export async function mirrorCommit(options: MirrorCommitOptions): Promise<MirroredCommit> {
  const { mirrorRoot, installationId, cloneUrl, ref, token } = options;
  if (!isAcceptableRef(ref)) throw new Error(`the ref ${JSON.stringify(ref)} is not a branch name or commit SHA`);
  const gitDir = mirrorDirFor(mirrorRoot, installationId, cloneUrl);
  return inTurn(gitDir, async () => {
    await ensureMirror(mirrorRoot, gitDir);
    // Its time of last use, which the sweep goes by: a cache hit writes nothing else.
    const now = new Date();
    await utimes(gitDir, now, now);
    const env = { ...cleanProcessEnvironment(), ...gitAuthEnvironment(token) };
    const git = async (args: string[]) => {
      const result = await runGit(["--git-dir", gitDir, ...args], mirrorRoot, env, { signal: options.signal });
      if (result.code !== 0) {
        const said = nonEmptyLines(maskToken(result.stderr, token)).slice(-3).join(" / ") || `exit code ${result.code}`;
        throw new Error(`git ${args[0]} in the repository cache failed: ${said}`);
      }
      return result.stdout.trim();
    };
    const { ino, birthtimeMs } = await stat(gitDir);
    const identity = `${ino}:${birthtimeMs}`;
    if (FULL_SHA.test(ref)) {
      const known = knownCommits.get(gitDir, identity, ref);
      if (known) return { gitDir, sha: ref, pack: known.pack };
      if (await has(gitDir, ref, env)) {
        knownCommits.add(gitDir, identity, ref, undefined);
        return { gitDir, sha: ref };
      }
    }
    // A ref of its own per fetch: FETCH_HEAD would be shared with any other process fetching here.
    const fetched = `refs/automations/fetched-${randomUUID()}`;
    const packsBefore = await packsOf(gitDir);
    await git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth", "1", cloneUrl, "--end-of-options", `+${ref}:${fetched}`]);
    try {
      const sha = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${fetched}^{commit}`]);
      if (!FULL_SHA.test(sha)) throw new Error(`git rev-parse in the repository cache gave ${JSON.stringify(sha)}`);
      // The cache has no refs, so the fetch had nothing to offer and was sent the whole commit:
      // its one new pack holds every object of it. Two new packs (another process fetched too)
      // leave the pack unknown.
      const added = (await packsOf(gitDir)).filter((name) => !packsBefore.includes(name));
      const pack = added.length === 1 ? join(gitDir, "objects", "pack", added[0]!) : undefined;
      knownCommits.add(gitDir, identity, sha, pack);
      return { gitDir, sha, pack: knownCommits.get(gitDir, identity, sha)?.pack };
    } finally {
      // The commit stays (no gc runs here); the ref would only slow every later local fetch.
      await git(["update-ref", "-d", fetched]).catch(() => {});
    }
  });
}

async function packsOf(gitDir: string): Promise<string[]> {
  const names = await readdir(join(gitDir, "objects", "pack")).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith(".pack"));
}

async function has(gitDir: string, sha: string, env: Record<string, string>): Promise<boolean> {
  const result = await runGit(["--git-dir", gitDir, "cat-file", "-e", `${sha}^{commit}`], gitDir, env);
  return result.code === 0;
}

/** Creates the cache when missing: set up aside, then renamed into place, so none is ever half made. */
async function ensureMirror(mirrorRoot: string, gitDir: string): Promise<void> {
  if (await exists(join(gitDir, "HEAD"))) return;
  await mkdir(mirrorRoot, { recursive: true, mode: 0o700 });
  const staging = `${gitDir}.new-${randomUUID()}`;
  const env = cleanProcessEnvironment();
  try {
    const init = await runGit(["init", "--quiet", "--bare", "--template=", staging], mirrorRoot, env);
    if (init.code !== 0) throw new Error(`git init of the repository cache failed: ${nonEmptyLines(init.stderr).join(" / ")}`);
    for (const [key, value] of MIRROR_CONFIG) {
      const set = await runGit(["--git-dir", staging, "config", key, value], mirrorRoot, env);
      if (set.code !== 0) throw new Error(`git config of the repository cache failed: ${nonEmptyLines(set.stderr).join(" / ")}`);
    }
    await rename(staging, gitDir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process made it first: theirs is as good.
      if (!(await exists(join(gitDir, "HEAD")))) throw err;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A cache idle this long is removed by the sweep; the next action on its repository fetches again. */
export const REPOSITORY_CACHE_IDLE_MS = 7 * 24 * 60 * 60 * 1000;
// A cache being set up aside is renamed into place within seconds; one this old was abandoned.
const ABANDONED_STAGING_MS = 60 * 60 * 1000;

/**
 * Removes the caches not used for `maxIdleMs`, so the cache holds what actions use rather than
 * every commit ever fetched. Removal waits its turn after this process's updates of that cache;
 * an action of another process reading a cache as it goes falls back to a direct clone.
 * Returns the directories removed.
 */
export async function sweepRepositoryCache(mirrorRoot: string, maxIdleMs = REPOSITORY_CACHE_IDLE_MS, now = Date.now()): Promise<string[]> {
  const names = await readdir(mirrorRoot).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [] as string[];
    throw err;
  });
  const removed: string[] = [];
  for (const name of names) {
    const staging = /\.git\.new-[0-9a-f-]+$/.test(name);
    if (!staging && !name.endsWith(".git")) continue;
    const dir = join(mirrorRoot, name);
    const idleFor = staging ? ABANDONED_STAGING_MS : maxIdleMs;
    const swept = await inTurn(dir, async () => {
      const info = await stat(dir).catch(() => null);
      if (!info || now - info.mtimeMs < idleFor) return false;
      knownCommits.forget(dir);
      await rm(dir, { recursive: true, force: true });
      return true;
    });
    if (swept) removed.push(dir);
  }
  return removed;
}
