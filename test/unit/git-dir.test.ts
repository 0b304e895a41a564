import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configValue, createGitDir } from "../../src/execution/git-dir.js";

const git = promisify(execFile);
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "automations-git-dir-test-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("a git directory made without git", () => {
  it("is one git itself reads as a work tree's, with the origin given, quotes and backslashes included", async () => {
    const workTree = join(scratch, "work");
    const origin = 'https://git.example.com/acme/we"ird\\name.git';
    await createGitDir(join(workTree, ".git"), { origin });

    expect((await git("git", ["-C", workTree, "config", "--get", "remote.origin.url"])).stdout).toBe(`${origin}\n`);
    expect((await git("git", ["-C", workTree, "rev-parse", "--is-bare-repository", "--is-inside-work-tree"])).stdout).toBe("false\ntrue\n");
    expect((await git("git", ["-C", workTree, "status", "--porcelain"])).stdout).toBe("");
  });

  it("refuses a value git config could not hold", () => {
    expect(() => configValue("https://example.com/a\nb.git")).toThrow(/control character/);
  });
});
