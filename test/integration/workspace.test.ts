import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneWorkspace, removeWorkspace, WorkspaceError } from "../../src/execution/workspace.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { filesUnder } from "../helpers/files-under.js";

const token = "ghs_testInstallationToken1234567890abcdef";
const basic = Buffer.from(`x-access-token:${token}`).toString("base64");

let server: GitServer;
let scratch: string;
let counter = 0;

const freshDir = () => join(scratch, `ws-${++counter}`);

async function cloneError(promise: Promise<unknown>): Promise<WorkspaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  return error as WorkspaceError;
}

beforeAll(async () => {
  server = await startGitServer({ token });
  scratch = await mkdtemp(join(tmpdir(), "automations-workspace-test-"));
});

afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("cloneWorkspace", () => {
  it("checks out the requested commit with its files and reports its SHA", async () => {
    const repo = await server.createRepo("acme/widgets", { "README.md": "# widgets\n", "src/index.js": "console.log(1);\n" });
    const dir = freshDir();

    const workspace = await cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.headSha, token, dir });

    expect(workspace).toEqual({ dir, headSha: repo.headSha, baseIndex: `${dir}.base-index` });
    // The index as git wrote it, kept outside the workspace for the change detection.
    expect(await readFile(workspace.baseIndex!)).toEqual(await readFile(join(dir, ".git", "index")));
    expect(await readFile(join(dir, "README.md"), "utf8")).toBe("# widgets\n");
    expect(await readFile(join(dir, "src/index.js"), "utf8")).toBe("console.log(1);\n");
  });

  it("checks out an older commit that is no longer the branch head", async () => {
    const repo = await server.createRepo("acme/history", { "version.txt": "1\n" });
    const second = await server.commit("acme/history", { "version.txt": "2\n" });
    expect(second).not.toBe(repo.headSha);
    const dir = freshDir();

    const workspace = await cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.headSha, token, dir });

    expect(workspace.headSha).toBe(repo.headSha);
    expect(await readFile(join(dir, "version.txt"), "utf8")).toBe("1\n");
  });

  it("checks out a branch by name at its current head", async () => {
    const repo = await server.createRepo("acme/branchy", { "a.txt": "first\n" });
    const second = await server.commit("acme/branchy", { "a.txt": "second\n" });
    const dir = freshDir();

    const workspace = await cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.defaultBranch, token, dir });

    expect(workspace.headSha).toBe(second);
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("second\n");
  });

  it("authenticates with the token but leaves it in no file of the workspace", async () => {
    const repo = await server.createRepo("acme/secretive", { "file.txt": "content\n" });
    const dir = freshDir();
    const before = server.requests.length;

    await cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.headSha, token, dir });

    const seen = server.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.authorization === `Basic ${basic}`)).toBe(true);

    const files = await filesUnder(dir);
    expect(files).toContain(join(dir, ".git", "config"));
    for (const file of files) {
      const content = await readFile(file);
      expect(content.includes(token), file).toBe(false);
      expect(content.includes(basic), file).toBe(false);
    }
  });

  it("fails with the URL and ref but not the token when the token is refused", async () => {
    const repo = await server.createRepo("acme/locked", { "file.txt": "content\n" });
    const wrong = "ghs_wrongTokenValue0987654321";

    const error = await cloneError(cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.headSha, token: wrong, dir: freshDir() }));

    expect(error.message).toContain(repo.cloneUrl);
    expect(error.message).toContain(repo.headSha);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString("base64"));
    expect(error.message).toMatch(/installed on the repository/);
  });

  it("fails with a hint to check the ref when the commit does not exist", async () => {
    const repo = await server.createRepo("acme/missing", { "file.txt": "content\n" });
    const missing = "0123456789abcdef0123456789abcdef01234567";

    const error = await cloneError(cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: missing, token, dir: freshDir() }));

    expect(error.message).toContain(repo.cloneUrl);
    expect(error.message).toContain(missing);
    expect(error.message).toMatch(/branch or commit exists/);
    expect(error.message).not.toContain(token);
  });

  it("fails with a hint to check the ref when the branch does not exist", async () => {
    const repo = await server.createRepo("acme/nobranch", { "file.txt": "content\n" });

    const error = await cloneError(cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: "no-such-branch", token, dir: freshDir() }));

    expect(error.message).toContain("no-such-branch");
    expect(error.message).toMatch(/branch or commit exists/);
  });

  it("fails with a hint about the network when the host cannot be reached", async () => {
    // Port 1 on loopback refuses at once; nothing listens there.
    const error = await cloneError(cloneWorkspace({ cloneUrl: "http://127.0.0.1:1/acme/gone.git", ref: "main", token, dir: freshDir() }));

    expect(error.message).toContain("http://127.0.0.1:1/acme/gone.git");
    expect(error.message).toMatch(/could not be reached/);
  });

  it("refuses a directory that already holds files", async () => {
    const repo = await server.createRepo("acme/occupied", { "file.txt": "content\n" });
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "leftover.txt"), "old\n");

    const error = await cloneError(cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.headSha, token, dir }));

    expect(error.message).toMatch(/not empty/);
    expect(await readFile(join(dir, "leftover.txt"), "utf8")).toBe("old\n");
  });

  it("refuses a ref that git would read as an option", async () => {
    const repo = await server.createRepo("acme/optiony", { "file.txt": "content\n" });

    const error = await cloneError(cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: "--upload-pack=touch /tmp/pwned", token, dir: freshDir() }));

    expect(error.message).toMatch(/not a branch name or commit SHA/);
  });
});

describe("removeWorkspace", () => {
  it("deletes a workspace and is harmless when called again", async () => {
    const repo = await server.createRepo("acme/removable", { "file.txt": "content\n" });
    const dir = freshDir();
    await cloneWorkspace({ cloneUrl: repo.cloneUrl, ref: repo.headSha, token, dir });

    await removeWorkspace(dir);
    await expect(stat(dir)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(removeWorkspace(dir)).resolves.toBeUndefined();
  });
});
