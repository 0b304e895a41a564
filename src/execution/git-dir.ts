import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

// Git directories made without starting git: git needs no more than HEAD, objects/ and refs/
// (gitrepository-layout(5)), and a process per action costs more than these few files.

/**
 * Makes `gitDir` an empty git directory. For a work tree's `.git` (`workTree` given), with the
 * config `git init --template=` writes on Linux and `origin` as `git remote add` adds it.
 */
export async function createGitDir(gitDir: string, workTree?: { origin: string }): Promise<void> {
  await mkdir(join(gitDir, "objects", "info"), { recursive: true });
  await mkdir(join(gitDir, "refs"), { recursive: true });
  await writeFile(join(gitDir, "HEAD"), "ref: refs/heads/main\n");
  if (!workTree) return;
  const config = [
    "[core]",
    "\trepositoryformatversion = 0",
    "\tfilemode = true",
    "\tbare = false",
    "\tlogallrefupdates = true",
    '[remote "origin"]',
    `\turl = ${configValue(workTree.origin)}`,
    "\tfetch = +refs/heads/*:refs/remotes/origin/*",
  ];
  await writeFile(join(gitDir, "config"), `${config.join("\n")}\n`);
}

/** A value as git-config(1) reads it back exactly: quoted, with `"` and `\` escaped. */
export function configValue(text: string): string {
  if (/[\x00-\x1f\x7f]/.test(text)) throw new Error(`${JSON.stringify(text)} holds a control character, which a git config value cannot`);
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
