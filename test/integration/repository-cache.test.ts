import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOutTarget } from "../../src/execution/check-out-target.js";
import { detectChanges } from "../../src/execution/detect-changes.js";
import { hostGit } from "../../src/execution/host-git.js";
import { mirrorDirFor, sweepRepositoryCache } from "../../src/execution/repository-mirror.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { filesUnder } from "../helpers/files-under.js";

// The repository cache (src/execution/repository-mirror.ts) against a real git smart-HTTP server.

const token = "ghs_cacheTestToken1234567890abcdefghijk";
const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
const installationId = 7;

let server: GitServer;
let scratch: string;
let counter = 0;

beforeAll(async () => {
  server = await startGitServer({ token });
  scratch = await mkdtemp(join(tmpdir(), "automations-repository-cache-test-"));
});
afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const uploadPacks = (from: number) => server.requests.slice(from).filter((r) => r.path.endsWith("/git-upload-pack")).length;

/** A checkout as an action makes it: through the cache in `cacheDir`, with its log lines. */
async function checkOut(cacheDir: string, cloneUrl: string, ref: string, options: { token?: string; installation?: number } = {}) {
  const lines: string[] = [];
  const dir = join(scratch, `ws-${++counter}`);
  const target = await checkOutTarget({
    cacheDir,
    installationId: options.installation ?? installationId,
    cloneUrl,
    ref,
    token: options.token ?? token,
    dir,
    log: (line) => lines.push(line),
  });
  return { ...target, lines };
}

describe("the repository cache", () => {
  it("clones a commit it already holds without the network, and a branch at its newest commit", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/cached", { "version.txt": "1\n" });

    const first = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);
    const before = server.requests.length;
    const again = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);

    expect(first.headSha).toBe(repo.headSha);
    expect(again.headSha).toBe(repo.headSha);
    expect(await readFile(join(again.dir, "version.txt"), "utf8")).toBe("1\n");
    expect(uploadPacks(before)).toBe(0);
    expect(again.cachedGitDir).toBe(mirrorDirFor(cacheDir, installationId, repo.cloneUrl));

    const second = await server.commit("acme/cached", { "version.txt": "2\n" });
    const byBranch = await checkOut(cacheDir, repo.cloneUrl, repo.defaultBranch);
    expect(byBranch.headSha).toBe(second);
    expect(await readFile(join(byBranch.dir, "version.txt"), "utf8")).toBe("2\n");

    // The checkout's origin is the repository, not the cache, so git in a step fetches from there.
    const config = await readFile(join(byBranch.dir, ".git", "config"), "utf8");
    expect(config).toContain(repo.cloneUrl);
    expect(config).not.toContain(cacheDir);
  });

  it("leaves the token in no file of the cache or the checkout", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/secretive-cache", { "file.txt": "content\n" });
    const before = server.requests.length;

    const target = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);

    const seen = server.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.authorization === `Basic ${basic}`)).toBe(true);
    const files = [...(await filesUnder(cacheDir)), ...(await filesUnder(target.dir))];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const content = await readFile(file);
      expect(content.includes(token), file).toBe(false);
      expect(content.includes(basic), file).toBe(false);
    }
    expect(target.lines.join("\n")).not.toContain(token);
  });

  it("gives each of many concurrent actions on one repository the commit it asked for", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/busy", { "n.txt": "0\n" });
    const one = await server.commit("acme/busy", { "n.txt": "1\n" });
    const two = await server.commit("acme/busy", { "n.txt": "2\n" });
    const asked = [repo.headSha, one, two, "main", repo.headSha, one, two, "main"];

    const targets = await Promise.all(asked.map((ref) => checkOut(cacheDir, repo.cloneUrl, ref)));

    const expected = { [repo.headSha]: "0\n", [one]: "1\n", [two]: "2\n", main: "2\n" };
    for (const [i, target] of targets.entries()) {
      const ref = asked[i] ?? "";
      expect(target.headSha).toBe(ref === "main" ? two : ref);
      expect(await readFile(join(target.dir, "n.txt"), "utf8")).toBe(expected[ref]);
      expect(target.cachedGitDir, target.lines.join("\n")).toBeDefined();
    }
    // The cache is whole afterwards.
    const gitDir = mirrorDirFor(cacheDir, installationId, repo.cloneUrl);
    await expect(promisify(execFile)("git", ["--git-dir", gitDir, "fsck", "--no-dangling"])).resolves.toBeDefined();
  });

  it("gives a checkout made from the cache's copy of a commit every object of it, and a clean status", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/copied", { "kept.txt": "same in both\n", "changed.txt": "1\n" });
    await checkOut(cacheDir, repo.cloneUrl, repo.headSha);
    // The second commit shares kept.txt with the first, which the cache already holds.
    const second = await server.commit("acme/copied", { "changed.txt": "2\n" });
    await checkOut(cacheDir, repo.cloneUrl, second);
    const before = server.requests.length;

    const target = await checkOut(cacheDir, repo.cloneUrl, second);

    expect(uploadPacks(before)).toBe(0);
    expect(target.lines).toContain(`Copied ${second} from the repository cache`);
    expect(await readFile(join(target.dir, "kept.txt"), "utf8")).toBe("same in both\n");
    expect(await readFile(join(target.dir, "changed.txt"), "utf8")).toBe("2\n");
    const inWorkspace = (args: string[]) => promisify(execFile)("git", ["-C", target.dir, ...args]);
    await expect(inWorkspace(["fsck", "--no-dangling"])).resolves.toBeDefined();
    expect((await inWorkspace(["status", "--porcelain"])).stdout).toBe("");
    expect((await inWorkspace(["log", "--format=%H"])).stdout.trim()).toBe(second);
  });

  it("fetches again into a cache that was removed and made anew since its commit was last used", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/swept-elsewhere", { "a.txt": "a\n" });
    await checkOut(cacheDir, repo.cloneUrl, repo.headSha);
    // Another worker process's sweep removes the cache; this process still knew the commit in it.
    await rm(mirrorDirFor(cacheDir, installationId, repo.cloneUrl), { recursive: true, force: true });
    const before = server.requests.length;

    const target = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);

    expect(await readFile(join(target.dir, "a.txt"), "utf8")).toBe("a\n");
    expect(uploadPacks(before)).toBe(1);
    expect(target.cachedGitDir, target.lines.join("\n")).toBe(mirrorDirFor(cacheDir, installationId, repo.cloneUrl));
  });

  it("clones straight from the repository when the cache is damaged", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/damaged", { "a.txt": "a\n" });
    await checkOut(cacheDir, repo.cloneUrl, repo.headSha);
    const gitDir = mirrorDirFor(cacheDir, installationId, repo.cloneUrl);
    for (const pack of (await readdir(join(gitDir, "objects", "pack"))).filter((f) => f.endsWith(".pack"))) {
      await writeFile(join(gitDir, "objects", "pack", pack), "not a pack");
    }

    const target = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);

    expect(target.headSha).toBe(repo.headSha);
    expect(await readFile(join(target.dir, "a.txt"), "utf8")).toBe("a\n");
    expect(target.cachedGitDir).toBeUndefined();
    expect(target.lines.join("\n")).toContain("The repository cache could not be used");
  });

  it("does not share what one installation fetched with another", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/separate", { "a.txt": "a\n" });
    await checkOut(cacheDir, repo.cloneUrl, repo.headSha);

    // Another installation whose token the repository refuses gets nothing from the cache.
    const refused = checkOut(cacheDir, repo.cloneUrl, repo.headSha, { installation: installationId + 1, token: "ghs_refusedToken000000000000000000000000" });

    await expect(refused).rejects.toThrow(/token was refused/);
  });

  it("lets the change detection read the base commit from the cache instead of the network", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/compare", { "README.md": "hello\n" });
    const target = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);
    await writeFile(join(target.dir, "README.md"), "hello again\n");
    const gitDir = await mkdtemp(join(scratch, "host-git-"));
    const git = hostGit({ gitDir, workTree: target.dir, token, author: { name: "a", email: "a@example.com" } });
    const before = server.requests.length;

    const changes = await detectChanges(git, { cloneUrl: repo.cloneUrl, baseSha: target.headSha, baseSource: target.cachedGitDir });

    expect(changes).toMatchObject({ changed: true, files: ["M\tREADME.md"] });
    expect(uploadPacks(before)).toBe(0);
  });

  it("tells an unchanged workspace from the checkout's index alone, and sees a change that kept a file's size and time", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/compare-index", { "README.md": "hello\n", ".gitignore": "build/\n" });
    const target = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);
    await mkdir(join(target.dir, "build"));
    await writeFile(join(target.dir, "build", "output.bin"), "ignored\n");
    const compare = async (baseSource?: string) => {
      const gitDir = await mkdtemp(join(scratch, "host-git-"));
      const git = hostGit({ gitDir, workTree: target.dir, token, author: { name: "a", email: "a@example.com" } });
      return detectChanges(git, { cloneUrl: join(scratch, "no-such-repository"), baseSha: target.headSha, baseSource, baseIndex: target.baseIndex });
    };

    // Nowhere to read the base commit from: only the index can tell.
    expect(await compare()).toEqual({ changed: false });

    // Same size, time stamp set back: the index's own status data do not hide the change.
    const readme = join(target.dir, "README.md");
    const { mtime } = await stat(readme);
    await writeFile(readme, "HELLO\n");
    await utimes(readme, mtime, mtime);
    expect(await compare(target.cachedGitDir)).toMatchObject({ changed: true, files: ["M\tREADME.md"] });
  });

  it("lets the change detection fetch the base commit again when the cache no longer holds it", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const repo = await server.createRepo("acme/compare-again", { "README.md": "hello\n" });
    const target = await checkOut(cacheDir, repo.cloneUrl, repo.headSha);
    const emptied = await mkdtemp(join(scratch, "emptied-"));
    await promisify(execFile)("git", ["init", "--quiet", "--bare", emptied]);
    const gitDir = await mkdtemp(join(scratch, "host-git-"));
    const git = hostGit({ gitDir, workTree: target.dir, token, author: { name: "a", email: "a@example.com" } });

    const unchanged = await detectChanges(git, { cloneUrl: repo.cloneUrl, baseSha: target.headSha, baseSource: emptied });

    expect(unchanged).toEqual({ changed: false });
  });

  it("removes the caches no action used for a week, keeps the ones in use, and fetches again after", async () => {
    const cacheDir = await mkdtemp(join(scratch, "cache-"));
    const idle = await server.createRepo("acme/idle", { "a.txt": "a\n" });
    const busy = await server.createRepo("acme/in-use", { "b.txt": "b\n" });
    await checkOut(cacheDir, idle.cloneUrl, idle.headSha);
    await checkOut(cacheDir, busy.cloneUrl, busy.headSha);
    const idleDir = mirrorDirFor(cacheDir, installationId, idle.cloneUrl);
    const busyDir = mirrorDirFor(cacheDir, installationId, busy.cloneUrl);
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    await utimes(idleDir, eightDaysAgo, eightDaysAgo);
    await utimes(busyDir, eightDaysAgo, eightDaysAgo);
    // Used again since (a cache hit, no fetch): that counts as use.
    const before = server.requests.length;
    await checkOut(cacheDir, busy.cloneUrl, busy.headSha);
    expect(uploadPacks(before)).toBe(0);

    expect(await sweepRepositoryCache(cacheDir)).toEqual([idleDir]);
    expect(await readdir(cacheDir)).toEqual([busyDir.slice(cacheDir.length + 1)]);

    // The next action on the removed one fetches its commit again and gets it.
    const afterSweep = server.requests.length;
    const again = await checkOut(cacheDir, idle.cloneUrl, idle.headSha);
    expect(again.headSha).toBe(idle.headSha);
    expect(uploadPacks(afterSweep)).toBe(1);
    expect(await sweepRepositoryCache(join(scratch, "no-cache-here"))).toEqual([]);
  });
});
