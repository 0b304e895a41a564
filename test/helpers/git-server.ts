import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

// A real git smart-HTTP server for tests: bare repositories served by `git http-backend` (CGI)
// behind a Node http server on 127.0.0.1, optionally demanding an installation-style token.

const execFileAsync = promisify(execFile);

export interface GitServerRequest {
  method: string;
  /** Path without the query, e.g. `/owner/name.git/info/refs`. */
  path: string;
  authorization: string | undefined;
}

export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** Creates `owner/name` with one commit of `files` on `main`. */
  createRepo(fullName: string, files: Record<string, string>): Promise<{ cloneUrl: string; headSha: string; defaultBranch: string }>;
  /** Adds a commit writing `files` on top of `main`; returns its SHA. */
  commit(fullName: string, files: Record<string, string>): Promise<string>;
  /** The commit `branch` points at in the served repository, or null when it does not exist. */
  branchHead(fullName: string, branch: string): Promise<string | null>;
  /** A file's content at `rev` in the served repository, without its trailing newline. */
  fileAt(fullName: string, rev: string, path: string): Promise<string>;
  /** A commit of the served repository: its author, committer, parents and message. */
  commitInfo(fullName: string, rev: string): Promise<{ author: string; committer: string; parents: string[]; message: string }>;
  /** Installs a pre-receive hook that refuses every push with `message`, as branch protection does. */
  refusePushes(fullName: string, message: string): Promise<void>;
  requests: GitServerRequest[];
  /** Holds every request from now on unanswered, as a server that stalled would, until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

// The host's own git configuration must not change what the tests see.
const isolatedGitEnv = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
};

function hostEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("GIT_")) env[key] = value;
  }
  return { ...env, ...isolatedGitEnv };
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
    { cwd, env: hostEnv() },
  );
  return stdout.trim();
}

export async function startGitServer(options: { token?: string } = {}): Promise<GitServer> {
  const base = await mkdtemp(join(tmpdir(), "automations-git-server-"));
  const root = join(base, "repos");
  const work = join(base, "work");
  await mkdir(root, { recursive: true });
  await mkdir(work, { recursive: true });

  const execPath = (await execFileAsync("git", ["--exec-path"], { env: hostEnv() })).stdout.trim();
  const backend = join(execPath, "git-http-backend");
  const expected = options.token === undefined ? undefined : `Basic ${Buffer.from(`x-access-token:${options.token}`).toString("base64")}`;
  const requests: GitServerRequest[] = [];
  const children = new Set<ChildProcess>();

  let held: Promise<void> | null = null;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push({ method: req.method ?? "GET", path: url.pathname, authorization: req.headers.authorization });
    if (held) await held;

    if (expected !== undefined && req.headers.authorization !== expected) {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" });
      res.end("Unauthorized\n");
      return;
    }

    const env: Record<string, string> = {
      ...hostEnv(),
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      // http-backend only accepts pushes from an authenticated user.
      REMOTE_USER: "x-access-token",
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    };
    if (req.headers["content-length"] !== undefined) env.CONTENT_LENGTH = req.headers["content-length"];
    // Protocol v2 and gzip-compressed bodies are announced in headers the backend reads as CGI vars.
    const protocol = req.headers["git-protocol"];
    if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") env[`HTTP_${name.toUpperCase().replace(/-/g, "_")}`] = value;
    }

    const child = spawn(backend, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    child.on("close", () => children.delete(child));
    child.stderr.resume();
    child.stdin.on("error", () => {}); // the backend may exit before reading everything
    req.pipe(child.stdin);

    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf("\r\n\r\n");
      const lf = head.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? { at: crlf, len: 4 } : lf >= 0 ? { at: lf, len: 2 } : undefined;
      if (!end) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end.at).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end.at + end.len));
    });
    child.on("close", (code) => {
      if (!headersDone) {
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`git http-backend exited with ${code} before sending headers\n`);
        return;
      }
      res.end();
    });
    child.on("error", (error) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`${error.message}\n`);
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  const workDir = (fullName: string) => join(work, fullName);
  const commitFiles = async (fullName: string, files: Record<string, string>) => {
    const dir = workDir(fullName);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    await git(dir, ["add", "--all"]);
    await git(dir, ["commit", "--quiet", "--allow-empty", "-m", `Update ${Object.keys(files).join(", ") || "nothing"}`]);
    await git(dir, ["push", "--quiet", "origin", "main"]);
    return git(dir, ["rev-parse", "HEAD"]);
  };

  return {
    url,
    requests,
    async createRepo(fullName, files) {
      if (!/^[\w.-]+\/[\w.-]+$/.test(fullName)) throw new Error(`Repository name must be owner/name, got ${fullName}`);
      const bare = join(root, `${fullName}.git`);
      await mkdir(bare, { recursive: true });
      await git(bare, ["init", "--quiet", "--bare", "--initial-branch=main"]);
      // GitHub lets a client fetch any commit by SHA; so must this server.
      await git(bare, ["config", "uploadpack.allowAnySHA1InWant", "true"]);
      await git(bare, ["config", "http.uploadpack", "true"]);
      await git(bare, ["config", "http.receivepack", "true"]);
      const dir = workDir(fullName);
      await mkdir(dir, { recursive: true });
      await git(dir, ["init", "--quiet", "--initial-branch=main"]);
      await git(dir, ["remote", "add", "origin", bare]);
      const headSha = await commitFiles(fullName, files);
      return { cloneUrl: `${url}/${fullName}.git`, headSha, defaultBranch: "main" };
    },
    commit: commitFiles,
    async branchHead(fullName, branch) {
      const bare = join(root, `${fullName}.git`);
      return git(bare, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]).catch(() => null);
    },
    async fileAt(fullName, rev, path) {
      return git(join(root, `${fullName}.git`), ["show", `${rev}:${path}`]);
    },
    async commitInfo(fullName, rev) {
      const out = await git(join(root, `${fullName}.git`), ["show", "--no-patch", "--format=%an <%ae>%n%cn <%ce>%n%P%n%B", rev]);
      const [author = "", committer = "", parents = "", ...message] = out.split("\n");
      return { author, committer, parents: parents.split(" ").filter(Boolean), message: message.join("\n") };
    },
    hold() {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
    async refusePushes(fullName, message) {
      const hook = join(root, `${fullName}.git`, "hooks", "pre-receive");
      await mkdir(dirname(hook), { recursive: true });
      await writeFile(hook, `#!/bin/sh\necho ${JSON.stringify(message)} >&2\nexit 1\n`);
      await chmod(hook, 0o755);
    },
    async close() {
      for (const child of children) child.kill("SIGKILL");
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    },
  };
}
