import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentStepFiles,
  createAgentDir,
  MAX_SESSION_BYTES,
  prepareAgentStep,
  readAgentSession,
} from "../../src/execution/agent-files.js";

describe("an agent step's files on the host", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "automations-agent-files-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function step(name: string) {
    const dir = join(root, name);
    await createAgentDir(dir);
    const files = agentStepFiles(dir, 0);
    const env = await prepareAgentStep(files, "Do the thing");
    return { files, env };
  }

  it("writes the prompt and names both files as the container sees them", async () => {
    const { files, env } = await step("prompt");
    expect(await readFile(files.host.prompt, "utf8")).toBe("Do the thing\n");
    expect(env).toEqual({
      AUTOMATION_PROMPT_FILE: "/automation/step-1/prompt.md",
      AUTOMATION_SESSION_FILE: "/automation/step-1/session.jsonl",
    });
    // The container's user, whoever it is, can write its session beside the prompt.
    expect((await stat(join(files.host.prompt, ".."))).mode & 0o777).toBe(0o777);
  });

  it("reads no session when the agent left none", async () => {
    const { files } = await step("none");
    expect(await readAgentSession(files)).toBeNull();
  });

  it("does not follow a session file that is a symbolic link to a host file", async () => {
    const { files } = await step("symlink");
    const hostFile = join(root, "host-only.txt");
    await writeFile(hostFile, "host secret\n");
    await symlink(hostFile, files.host.session);
    const session = await readAgentSession(files);
    expect(session).not.toContain("host secret");
    expect(session).toContain("symbolic link");
  });

  it("does not wait on a session file that is a named pipe", async () => {
    const { files } = await step("fifo");
    await promisify(execFile)("mkfifo", [files.host.session]);
    expect(await readAgentSession(files)).toContain("not a regular file");
  });

  it("cuts an oversized session at a line end and says so", async () => {
    const { files } = await step("large");
    const line = `${JSON.stringify({ type: "message", role: "assistant", content: "x".repeat(1000) })}\n`;
    await writeFile(files.host.session, line.repeat(Math.ceil(MAX_SESSION_BYTES / line.length) + 10));
    const session = (await readAgentSession(files)) ?? "";
    expect(session.length).toBeLessThanOrEqual(MAX_SESSION_BYTES + 100);
    const lines = session.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^\(session cut at \d+ bytes of \d+\)$/);
    expect(lines.slice(0, -1).every((l) => l === line.trimEnd())).toBe(true);
  });
});
