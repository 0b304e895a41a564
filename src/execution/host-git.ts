import { cleanProcessEnvironment, gitAuthEnvironment, maskToken, nonEmptyLines, runGit, type GitResult } from "./workspace.js";

// Git on the host over a workspace the container could write. The workspace's own `.git` is the
// container's to change (hooks, config, filters), so it is never used: the host keeps a git
// directory of its own outside the mount and reads the workspace only as a work tree.

export interface GitIdentity {
  name: string;
  email: string;
}

export interface HostGit {
  /** The host's own git directory, outside the workspace. */
  readonly gitDir: string;
  /** Runs git with the host's git directory and the workspace as work tree; the token stays in the environment. */
  run(args: string[]): Promise<GitResult>;
  /** The text with the token and its encodings replaced by `***`. */
  mask(text: string): string;
  /** git's own last words on a failure, masked, on one line. */
  said(result: GitResult): string;
}

/** A failure while publishing, worded for the person reading the action's check. */
export class PublishError extends Error {
  override readonly name = "PublishError";
}

export function hostGit(options: {
  gitDir: string;
  workTree: string;
  token: string;
  author: GitIdentity;
  log?: (line: string) => void;
}): HostGit {
  const { gitDir, workTree, token, author, log } = options;
  const env = {
    ...cleanProcessEnvironment(),
    ...gitAuthEnvironment(token),
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  // The operator's global settings may convert line endings or sign commits; neither belongs here.
  const settings = ["core.autocrlf=false", "core.safecrlf=false", "commit.gpgSign=false", "core.hooksPath=/dev/null", "core.fsmonitor=false"];
  const prefix = [...settings.flatMap((s) => ["-c", s]), "--git-dir", gitDir, "--work-tree", workTree];
  const mask = (text: string) => maskToken(text, token);
  return {
    gitDir,
    mask,
    async run(args) {
      log?.(`git ${args.join(" ")}`);
      return runGit([...prefix, ...args], workTree, env);
    },
    said(result) {
      return nonEmptyLines(mask(result.stderr)).slice(-4).join(" / ") || `git exited with ${result.code}`;
    },
  };
}
