import { spawn } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessLauncherError, runProcess, type ProcessResult } from "../../src/execution/process-launcher/run-process.js";
import { runGit } from "../../src/execution/workspace.js";
import { waitFor } from "../helpers/wait-for.js";

// Commands go through the app's process launcher; each result must be what spawning the command
// from the app itself gives (the way git was run before the launcher existed).

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "automations-run-process-"));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The reference: the command spawned directly from this process, output decoded the same way. */
function spawnDirectly(file: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => resolve({ code: -1, stdout: "", stderr: `${error.message}\n` }));
    child.on("close", (code, signal) => {
      const result: ProcessResult = { code: code ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
      if (signal) result.signal = signal;
      resolve(result);
    });
  });
}

const sh = (script: string, ...args: string[]) => ["-c", script, "sh", ...args];
const digest = (text: string) => createHash("sha256").update(text).digest("hex");

/** The pid of the launcher: the parent of a command it starts. */
async function launcherPid(): Promise<number> {
  const { stdout } = await runProcess("sh", sh("echo $PPID"));
  return Number(stdout.trim());
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("runProcess", () => {
  it("gives the exit code, stdout and stderr a direct spawn gives", async () => {
    const cases: Array<[string, string[]]> = [
      ["sh", sh("echo out; echo err >&2")],
      ["sh", sh("printf 'no newline'; exit 3")],
      ["sh", sh("echo \"$1|$2\" >&2; exit 128", "an argument", "--not-an-option")],
      ["true", []],
      // Bytes that are not UTF-8 are decoded as a direct spawn's buffered output is.
      ["sh", sh("printf 'caf\\351 \\377\\376 ok\\n'; printf '\\342\\202' >&2")],
    ];
    for (const [file, args] of cases) {
      expect(await runProcess(file, args), `${file} ${args.join(" ")}`).toEqual(await spawnDirectly(file, args));
    }
  });

  it("carries tens of megabytes on stdout intact", async () => {
    const hex = randomBytes(40_000).toString("hex");
    const line = (i: number) => `${i} ${hex.slice(i % 40_000, (i % 40_000) + 80)} é€😀\n`;
    const text = Array.from({ length: 250_000 }, (_, i) => line(i)).join("");
    const file = join(scratch, "large.txt");
    await writeFile(file, text);
    const result = await runProcess("cat", [file]);
    expect(result.code).toBe(0);
    expect(Buffer.byteLength(result.stdout)).toBeGreaterThan(20 * 1024 * 1024);
    expect(digest(result.stdout)).toBe(digest(text));
  });

  it("gives the command exactly the environment it was given, and runs it in its directory", async () => {
    const env = { GIT_TERMINAL_PROMPT: "0", WITH_SPACES: "a b  c", EMPTY: "", MULTILINE: "one\ntwo" };
    const result = await runProcess("/usr/bin/env", ["-0"], { env });
    const seen = result.stdout.split("\0").filter(Boolean).sort();
    expect(seen).toEqual(Object.entries(env).map(([key, value]) => `${key}=${value}`).sort());

    const dir = await mkdtemp(join(scratch, "cwd-"));
    const pwd = await runProcess("sh", sh("pwd -P"), { cwd: dir, env: { PATH: process.env.PATH ?? "" } });
    expect(pwd.stdout.trim()).toBe(await realpath(dir));
  });

  it("gives a command without its own environment none of the app's", async () => {
    process.env.AUTOMATIONS_RUN_PROCESS_TEST_SECRET = "should-not-leak";
    try {
      const result = await runProcess("/usr/bin/env", ["-0"]);
      const keys = result.stdout.split("\0").filter(Boolean).map((line) => line.slice(0, line.indexOf("=")));
      expect(keys).not.toContain("AUTOMATIONS_RUN_PROCESS_TEST_SECRET");
      for (const key of keys) expect(["PATH", "HOME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TMPDIR", "TZ"]).toContain(key);
    } finally {
      delete process.env.AUTOMATIONS_RUN_PROCESS_TEST_SECRET;
    }
  });

  it("reports a missing binary or directory as a failed command, as a direct spawn does", async () => {
    const missing = await runProcess("automations-no-such-binary", ["--version"]);
    expect(missing).toEqual({ code: -1, stdout: "", stderr: "spawn automations-no-such-binary ENOENT\n" });
    expect(missing).toEqual(await spawnDirectly("automations-no-such-binary", ["--version"]));

    const noDir = join(scratch, "no-such-directory");
    expect(await runProcess("true", [], { cwd: noDir })).toEqual(await spawnDirectly("true", [], { cwd: noDir }));
  });

  it("says which signal killed a command", async () => {
    const result = await runProcess("sh", sh("echo before; kill -TERM $$; echo after"));
    expect(result).toEqual({ code: -1, stdout: "before\n", stderr: "", signal: "SIGTERM" });
    expect(result).toEqual(await spawnDirectly("sh", sh("echo before; kill -TERM $$; echo after")));
  });

  it("kills a command that runs past its time limit and says it timed out", async () => {
    const started = performance.now();
    const result = await runProcess("sleep", ["30"], { timeoutMs: 200 });
    expect(result).toMatchObject({ code: -1, signal: "SIGKILL", timedOut: true });
    expect(performance.now() - started).toBeLessThan(20_000);
    // One that ends in time is not marked.
    expect((await runProcess("true", [], { timeoutMs: 10_000 })).timedOut).toBeUndefined();
  });

  it("kills a command on a stop request, with what it started, and starts none after one", async () => {
    const stop = new AbortController();
    const running = runProcess("sh", sh("sleep 2 & wait"));
    const stoppable = runProcess("sh", sh("sleep 30 & wait"), { signal: stop.signal });
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    expect(await stoppable).toMatchObject({ code: -1, signal: "SIGKILL", stopped: true });
    expect(await runProcess("true", [], { signal: stop.signal })).toEqual({ code: -1, stdout: "", stderr: "", stopped: true });
    // Another command is not touched by this one's stop.
    const other = await Promise.race([running.then(() => "ended"), new Promise((r) => setTimeout(() => r("still running"), 300))]);
    expect(other).toBe("still running");
  });

  it("stops a git command that hangs, saying it did not finish in time", async () => {
    const dir = await mkdtemp(join(tmpdir(), "automations-git-timeout-"));
    try {
      // A command that waits, as git does on a server that never answers.
      const started = performance.now();
      const result = await runGit(["-c", "alias.wait=!sleep 5", "wait"], dir, { PATH: process.env.PATH ?? "" }, { timeoutMs: 300 });
      expect(result.code).toBe(-1);
      expect(result.stderr).toContain("git did not finish within 0.3s and was stopped");
      // What git started went with it, rather than keep the command's output open.
      expect(performance.now() - started).toBeLessThan(4_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs fifty commands at once and gives each its own result", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => runProcess("sh", sh('sleep 0.1; echo "out $1"; echo "err $1" >&2; exit $(($1 % 4))', String(i)))),
    );
    results.forEach((result, i) => expect(result).toEqual({ code: i % 4, stdout: `out ${i}\n`, stderr: `err ${i}\n` }));
  });

  it("fails the commands in flight with a clear error when the launcher dies, then starts a new one", async () => {
    const before = await launcherPid();
    const inFlight = runProcess("sleep", ["2"]);
    // A command that kills its parent: the launcher.
    const killer = runProcess("sh", sh("kill -KILL $PPID; sleep 2"));
    for (const request of [inFlight, killer]) {
      const error = await request.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProcessLauncherError);
      expect((error as Error).message).toMatch(/^The process launcher was killed by SIGKILL while running (sleep|sh), so its outcome is unknown; retry/);
    }

    expect(await runProcess("echo", ["again"])).toEqual({ code: 0, stdout: "again\n", stderr: "" });
    const after = await launcherPid();
    expect(after).not.toBe(before);
    expect(isRunning(before)).toBe(false);
  });

  it("lets git report a dead launcher as a failed git command", async () => {
    // git runs the alias through a shell whose parent is git, whose parent is the launcher.
    const alias = "!kill -KILL $(cut -d' ' -f4 /proc/$PPID/stat); sleep 2";
    const result = await runGit(["-c", `alias.end-launcher=${alias}`, "end-launcher"], scratch, { PATH: process.env.PATH ?? "" });
    expect(result.code).toBe(-1);
    expect(result.stderr).toMatch(/^The process launcher was killed by SIGKILL while running git/);
    expect((await runGit(["--version"], scratch, { PATH: process.env.PATH ?? "" })).stdout).toMatch(/^git version/);
  });
});

describe("the process launcher's lifetime", () => {
  // A tiny app: runs one command through the launcher, prints the launcher's pid, then has nothing left to do.
  async function writeApp(name: string, then: string): Promise<string> {
    const file = join(scratch, name);
    const module = pathToFileURL(join(process.cwd(), "src/execution/process-launcher/run-process.ts")).href;
    await writeFile(
      file,
      `import { runProcess } from ${JSON.stringify(module)};
const { stdout } = await runProcess("sh", ["-c", "echo $PPID"]);
process.stdout.write(stdout);
${then}
`,
    );
    return file;
  }

  function startApp(file: string) {
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    const firstLine = new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(Number(out.trim()));
      });
      child.once("exit", (code) => reject(new Error(`the app exited (${code}) before printing the launcher's pid`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, firstLine, exited };
  }

  it("does not keep an app running once its commands are done, and ends with it", async () => {
    const app = startApp(await writeApp("idle-app.mts", ""));
    const pid = await app.firstLine;
    expect(await app.exited).toBe(0);
    await waitFor("the launcher to end with the app", () => !isRunning(pid));
  });

  it("ends when the app is killed", async () => {
    const app = startApp(await writeApp("killed-app.mts", "setInterval(() => {}, 1000);"));
    const pid = await app.firstLine;
    expect(isRunning(pid)).toBe(true);
    app.child.kill("SIGKILL");
    await app.exited;
    await waitFor("the launcher to end after the app was killed", () => !isRunning(pid));
  });
});
