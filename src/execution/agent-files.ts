import { constants } from "node:fs";
import { chmod, mkdir, open, rm, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";

// An agent step's prompt and session live in a directory beside the checkout, mounted into the
// container on its own path, so neither can end up committed as a change to the repository.

/** Where the agent directory is mounted in the container. */
export const AGENT_MOUNT = "/automation";

/** A session larger than this is cut: it is stored in the database and shown in a check. */
export const MAX_SESSION_BYTES = 5 * 1024 * 1024;

/** The host directory holding an action's agent files, beside its workspace. */
export function agentDirFor(workspaceDir: string): string {
  return `${workspaceDir}.agent`;
}

export interface AgentStepFiles {
  /** Host paths, read and written by the app. */
  host: { prompt: string; session: string };
  /** The same files as the container sees them. */
  container: { prompt: string; session: string };
}

export function agentStepFiles(agentDir: string, stepIndex: number): AgentStepFiles {
  const dir = `step-${stepIndex + 1}`;
  return {
    host: { prompt: join(agentDir, dir, "prompt.md"), session: join(agentDir, dir, "session.jsonl") },
    container: { prompt: posix.join(AGENT_MOUNT, dir, "prompt.md"), session: posix.join(AGENT_MOUNT, dir, "session.jsonl") },
  };
}

/** The variables that tell the agent where its files are. */
export function agentStepEnvironment(files: AgentStepFiles): Record<string, string> {
  return { AUTOMATION_PROMPT_FILE: files.container.prompt, AUTOMATION_SESSION_FILE: files.container.session };
}

/** Writes the prompt and returns the variables that tell the agent where its files are. */
export async function prepareAgentStep(files: AgentStepFiles, prompt: string): Promise<Record<string, string>> {
  const dir = dirname(files.host.prompt);
  await mkdir(dir, { recursive: true });
  // The container's user is not the app's; it must be able to write its session here.
  await writeFile(files.host.prompt, prompt.endsWith("\n") ? prompt : `${prompt}\n`, { mode: 0o644 });
  await chmod(dir, 0o777);
  return agentStepEnvironment(files);
}

/** The session the agent left, at most MAX_SESSION_BYTES of it; null when it left none. */
export async function readAgentSession(files: AgentStepFiles): Promise<string | null> {
  let handle;
  try {
    // The agent controls this path: a symlink to a host file, or a FIFO, must not be followed
    // or waited on by the app.
    handle = await open(files.host.session, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT") return null;
    if (code === "ELOOP") return `(the session file is a symbolic link; it was not read)\n`;
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return `(the session file is not a regular file; it was not read)\n`;
    const size = stat.size;
    const buffer = Buffer.alloc(Math.min(size, MAX_SESSION_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    let text = buffer.subarray(0, bytesRead).toString("utf8");
    if (size > MAX_SESSION_BYTES) {
      // Cut at a line end, and say so in a line the renderer shows raw.
      text = `${text.slice(0, text.lastIndexOf("\n") + 1)}(session cut at ${MAX_SESSION_BYTES} bytes of ${size})\n`;
    }
    return text;
  } finally {
    await handle.close();
  }
}

export async function removeAgentDir(agentDir: string): Promise<void> {
  await rm(agentDir, { recursive: true, force: true });
}

export async function createAgentDir(agentDir: string): Promise<void> {
  await mkdir(agentDir, { recursive: true, mode: 0o755 });
}
