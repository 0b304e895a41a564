import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatDefinitionError, parseDefinition } from "../automations/parse-definition.js";
import { errorMessage } from "../error-message.js";

// `automations validate [files…]`: the app's own validator run on local files, so a definition
// can be checked (in an editor's terminal, a pre-commit hook, CI) before it reaches the default
// branch. Errors print as `file:line:col: message`, as the app replies them on a comment.

export interface CliOutput {
  /** A line for stdout: results. */
  out(line: string): void;
  /** A line for stderr: problems running the command itself. */
  err(line: string): void;
}

/** Where the app reads definitions from; validated when no files are given. */
export const definitionsDirectory = ".github/automations";

/**
 * Validates each file (relative paths from `cwd`) and prints its errors, or an "ok" line.
 * Returns the exit code: 0 when every file is a valid definition, 1 otherwise.
 */
export async function validateFiles(paths: readonly string[], output: CliOutput, cwd = process.cwd()): Promise<number> {
  let failed = false;
  for (const path of paths) {
    let source: string;
    try {
      source = await readFile(resolve(cwd, path), "utf8");
    } catch (err) {
      output.err(`${path}: cannot be read (${reasonOf(err)})`);
      failed = true;
      continue;
    }
    const result = parseDefinition(source, path);
    if (result.ok) {
      output.out(`${path}: ok`);
    } else {
      for (const error of result.errors) output.out(formatDefinitionError(error));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/**
 * The command: the given files and directories (each directory's `*.yml`), or the definitions
 * directory under `cwd` when none are given.
 */
export async function validateCommand(args: readonly string[], output: CliOutput, cwd: string): Promise<number> {
  const inputs = args.length > 0 ? args : [definitionsDirectory];
  const files: string[] = [];
  let failed = false;
  for (const input of inputs) {
    const listed = await definitionFilesIn(input, cwd);
    if (listed.kind === "file") {
      files.push(input);
      continue;
    }
    if (listed.kind === "missing") {
      output.err(`${input}: no such directory; run this in a repository's root or name the files to validate`);
      failed = true;
      continue;
    }
    // The app reads only `<name>.yml`: a `.yaml` file there is never run, which nobody intends.
    for (const ignored of listed.ignored) {
      output.out(`${ignored}: never read by the app, whose definitions end in .yml; rename it`);
      failed = true;
    }
    if (listed.files.length === 0 && listed.ignored.length === 0) {
      output.err(`${input}: no .yml files to validate`);
      failed = true;
    }
    files.push(...listed.files);
  }
  const code = await validateFiles(files, output, cwd);
  return failed ? 1 : code;
}

type Listing = { kind: "file" } | { kind: "missing" } | { kind: "directory"; files: string[]; ignored: string[] };

/** A directory's definition files, sorted; `file` when `input` is not a directory. */
async function definitionFilesIn(input: string, cwd: string): Promise<Listing> {
  const absolute = resolve(cwd, input);
  const stats = await stat(absolute).catch(() => null);
  if (stats === null) return input === definitionsDirectory ? { kind: "missing" } : { kind: "file" };
  if (!stats.isDirectory()) return { kind: "file" };
  // Node 20 has no fs.glob; one directory's `*.yml` needs only a listing.
  const entries = await readdir(absolute, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name).sort();
  return {
    kind: "directory",
    files: names.filter((n) => n.endsWith(".yml")).map((n) => join(input, n)),
    ignored: names.filter((n) => n.endsWith(".yaml")).map((n) => join(input, n)),
  };
}

function reasonOf(err: unknown): string {
  if (typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT") return "no such file";
  if (typeof err === "object" && err !== null && "code" in err && err.code === "EISDIR") return "a directory";
  return errorMessage(err);
}
