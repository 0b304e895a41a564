import { constants } from "node:fs";
import { copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { createGitDir } from "./git-dir.js";
import { runProcess } from "./process-launcher/run-process.js";
import { formatDuration } from "../reporting/format-duration.js";

// The target is cloned on the host (DESIGN.md §5.2). The installation token reaches git only
// through its environment, so it is never in .git/config, any workspace file or a command line
// that `ps` could show.

export interface CloneWorkspaceOptions {
  cloneUrl: string;
  /** A commit SHA or a branch name. */
  ref: string;
  /** The installation token. */
  token: string;
  /** Created if missing; must be empty. */
  dir: string;
  log?: (line: string) => void;
  /**
   * The commit, already fetched into the repository cache (./repository-mirror.ts): fetched from
   * there locally instead of from `cloneUrl`, which stays the checkout's `origin`.
   */
  cached?: { gitDir: string; sha: string; pack?: string };
  /** The action's stop request: the clone's git commands are killed, and no more are started. */
  signal?: AbortSignal;
}

export interface Workspace {
  dir: string;
  headSha: string;
  /**
   * The checkout's git index as git left it, copied outside the workspace before any step could
   * change it: the change detection compares the work tree with it first (./detect-changes.ts).
   */
  baseIndex?: string;
}

export class WorkspaceError extends Error {
  override readonly name = "WorkspaceError";
  constructor(
    message: string,
    readonly cloneUrl: string,
    readonly ref: string,
  ) {
    super(message);
  }
}

/** The `Authorization` header value GitHub accepts for an installation token over HTTPS. */
export function basicAuthorization(token: string): string {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
}

/**
 * Environment that lets git authenticate with `token` without it being written anywhere.
 * Also usable for a later push from the same workspace.
 */
export function gitAuthEnvironment(token: string): Record<string, string> {
  const config: Array<[string, string]> = [
    ["http.extraHeader", `Authorization: ${basicAuthorization(token)}`],
    // An empty value clears any host credential helper, so none stores or substitutes credentials.
    ["credential.helper", ""],
  ];
  const env: Record<string, string> = {
    GIT_CONFIG_COUNT: String(config.length),
    // A refused token must fail the action, not wait for someone to type a password.
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    // Abort a transfer that stalls below 1 KB/s for a minute instead of hanging the worker.
    GIT_HTTP_LOW_SPEED_LIMIT: "1000",
    GIT_HTTP_LOW_SPEED_TIME: "60",
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** Shallow-clones `ref` of `cloneUrl` into `dir` and checks it out detached. */
export async function cloneWorkspace(options: CloneWorkspaceOptions): Promise<Workspace> {
  const { cloneUrl, ref, token, dir, log, cached } = options;
  const shownUrl = urlWithoutCredentials(cloneUrl);
  const fail = (what: string, hint: string): never => {
    throw new WorkspaceError(`Could not clone ${shownUrl} at ${JSON.stringify(ref)}: ${what}. ${hint}`, shownUrl, ref);
  };

  if (!isAcceptableRef(ref)) {
    fail("the ref is not a branch name or commit SHA", "Give a branch name or a full commit SHA.");
  }

  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    fail(`the workspace directory ${dir} could not be created (${(error as Error).message})`, "Check the workspace root's permissions and free space.");
  }
  if ((await readdir(dir)).length > 0) {
    fail(`the workspace directory ${dir} is not empty`, "Each action needs a fresh directory; remove the old workspace first.");
  }

  const env = { ...cleanProcessEnvironment(), ...gitAuthEnvironment(token) };
  const mask = (text: string) => maskToken(text, token);
  const git = async (args: string[]) => {
    log?.(`git ${args.map((arg) => (arg === cloneUrl ? shownUrl : arg === cached?.gitDir ? "(repository cache)" : arg)).join(" ")}`);
    const result = await runGit(args, dir, env, { signal: options.signal });
    for (const line of nonEmptyLines(mask(result.stderr))) log?.(line);
    return result;
  };

  // As `git init` and `git remote add origin` would leave it, without the two processes.
  await createGitDir(join(dir, ".git"), { origin: cloneUrl }).catch((error: Error) =>
    fail(`its git directory could not be made (${error.message})`, "Check the workspace root's permissions and free space."),
  );
  for (const args of [
    // `--end-of-options` keeps a ref from being read as an option.
    cached
      ? ["fetch", "--quiet", "--no-tags", "--depth", "1", cached.gitDir, "--end-of-options", cached.sha]
      : ["fetch", "--quiet", "--no-tags", "--depth", "1", "origin", "--end-of-options", ref],
    ["checkout", "--quiet", "--detach", cached ? cached.sha : "FETCH_HEAD"],
  ]) {
    if (args[0] === "fetch" && cached?.pack !== undefined) {
      // The cache's pack of the commit is what the fetch would have sent: copied, it costs no git processes.
      await copyCommitPack(cached.pack, cached.sha, join(dir, ".git")).catch((error: Error) =>
        fail(`the commit could not be copied from the repository cache (${error.message})`, "Retry the action; the cache is checked again."),
      );
      log?.(`Copied ${cached.sha} from the repository cache`);
      continue;
    }
    const result = await git(args);
    if (result.code !== 0) {
      const said = nonEmptyLines(mask(result.stderr)).slice(-3).join(" / ") || `git ${args[0]} exited with ${result.code}`;
      // The hint is judged on the unmasked text (masking a short token can garble words); only the masked text is shown.
      fail(`git ${args[0]} failed: ${said}`, hintFor(args[0] ?? "", result.stderr));
    }
  }

  const baseIndex = await copyFile(join(dir, ".git", "index"), baseIndexOf(dir)).then(
    () => baseIndexOf(dir),
    // Without it the change detection only takes longer.
    () => undefined,
  );
  // From the cache, the commit is the one asked for by its SHA.
  if (cached) return { dir, headSha: cached.sha, baseIndex };
  const head = await git(["rev-parse", "HEAD"]);
  const headSha = head.stdout.trim();
  if (head.code !== 0 || !/^[0-9a-f]{40,64}$/.test(headSha)) {
    fail("the checked-out commit could not be read", "The workspace is damaged; retry the action.");
  }
  return { dir, headSha, baseIndex };
}

/** Beside the workspace, never mounted into a container. */
function baseIndexOf(dir: string): string {
  return `${dir}.base-index`;
}

/** Puts a pack holding every object of `sha` into `gitDir`, which then has `sha` one commit deep. */
async function copyCommitPack(pack: string, sha: string, gitDir: string): Promise<void> {
  const into = join(gitDir, "objects", "pack");
  await mkdir(into, { recursive: true });
  const index = pack.replace(/\.pack$/, ".idx");
  // A copy, never a link: the workspace is the container's to change, the cache is not.
  await Promise.all([
    copyFile(pack, join(into, basename(pack)), constants.COPYFILE_FICLONE),
    copyFile(index, join(into, basename(index)), constants.COPYFILE_FICLONE),
  ]);
  // As a fetch one commit deep leaves it: the commit's parents are not here.
  await writeFile(join(gitDir, "shallow"), `${sha}\n`);
}

/** Deletes a workspace and the copy of its base index. Harmless when they are already gone. */
export async function removeWorkspace(dir: string): Promise<void> {
  await Promise.all([rm(dir, { recursive: true, force: true }), rm(baseIndexOf(dir), { force: true })]);
}

/** Replaces the token and its Basic-auth forms by `***`. */
export function maskToken(text: string, token: string): string {
  if (!token) return text;
  const forms = [token, Buffer.from(`x-access-token:${token}`).toString("base64"), Buffer.from(token).toString("base64")];
  let masked = text;
  for (const form of forms) masked = masked.split(form).join("***");
  return masked;
}

/** What a person should check, judged from git's stderr. */
export function hintFor(command: string, stderr: string): string {
  if (/could not read (Username|Password)|Authentication failed|terminal prompts disabled|\b401\b|\b403\b/i.test(stderr)) {
    return "The token was refused: check that the app is installed on the repository and has contents access.";
  }
  if (/repository .* not found|Repository not found|\b404\b/i.test(stderr)) {
    return "Check that the repository exists and that the app is installed on it.";
  }
  if (/couldn't find remote ref|not our ref|unadvertised object|no such remote ref|invalid refspec/i.test(stderr)) {
    return "Check that the branch or commit exists on the repository (a commit must have been pushed).";
  }
  if (/Could not resolve host|Failed to connect|Connection refused|timed out|Operation too slow/i.test(stderr)) {
    return "The host could not be reached; check the network and the repository URL, then retry.";
  }
  if (command === "fetch") {
    return "Check that the app is installed on the repository and the ref exists.";
  }
  return "Check that git works on this host and the workspace directory is writable.";
}

export function isAcceptableRef(ref: string): boolean {
  return ref.length > 0 && !ref.startsWith("-") && !/[\s\x00-\x1f\x7f~^:?*[\\]/.test(ref);
}

// Credentials in the URL itself must not reach an error message or a log line either.
function urlWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}

let cleanEnvironment: Readonly<Record<string, string>> | undefined;

// Variables like GIT_DIR (set when running under a git hook) would redirect git elsewhere.
// Read once: process.env is slow to walk, and every git command of every action needs this.
export function cleanProcessEnvironment(): Readonly<Record<string, string>> {
  if (cleanEnvironment) return cleanEnvironment;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE|CONFIG_PARAMETERS|CONFIG_COUNT|CONFIG_KEY_\d+|CONFIG_VALUE_\d+|TRACE\w*)$/.test(key)) continue;
    env[key] = value;
  }
  cleanEnvironment = Object.freeze(env);
  return cleanEnvironment;
}

export function nonEmptyLines(text: string): string[] {
  return text
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A backstop for any git command: a worker's slot is not held forever by one that hangs. Network
 * transfers end sooner, on git's own low-speed limit (`GIT_NETWORK_STALL`).
 */
export const GIT_TIMEOUT_MS = 30 * 60_000;

/** git gives up a transfer slower than 1 KB/s for a minute: a server or network that stalled. */
const GIT_NETWORK_STALL = { GIT_HTTP_LOW_SPEED_LIMIT: "1000", GIT_HTTP_LOW_SPEED_TIME: "60" };

export async function runGit(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; /** The action's stop request: git is killed, or not started. */ signal?: AbortSignal } = {},
): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? GIT_TIMEOUT_MS;
  try {
    const result = await runProcess("git", args, { cwd, env: { ...GIT_NETWORK_STALL, ...env }, timeoutMs, signal: options.signal });
    const ended = result.stopped
      ? "git was stopped: its action was cancelled or its worker is stopping\n"
      : result.timedOut
      ? `git did not finish within ${formatDuration(timeoutMs)} and was stopped\n`
      : result.signal
        ? `killed by ${result.signal}\n`
        : "";
    return { code: result.code, stdout: result.stdout, stderr: result.stderr + ended };
  } catch (error) {
    // The process launcher ended mid-command: reported like a failed command, as a missing git binary is.
    return { code: -1, stdout: "", stderr: `${(error as Error).message}\n` };
  }
}
