import { fork, type ChildProcess } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { WorkerReply, WorkerRequest } from "./worker-entry.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = join(ROOT, "test/helpers/worker-entry.ts");
// Beside node_modules, so the bundle's external packages resolve as the sources' do.
const BUNDLE = join(ROOT, "node_modules/.cache/automations-tests/worker-entry.mjs");
const LAUNCHER_SCRIPT = join(ROOT, "src/execution/process-launcher/launcher-process.mjs");

let bundling: Promise<string> | null = null;

/**
 * The worker entry compiled once into one file: a process then starts in a fraction of the time
 * tsx needs to compile on every start, which matters for tests that kill and restart workers.
 */
export function workerBundle(): Promise<string> {
  bundling ??= (async () => {
    await mkdir(dirname(BUNDLE), { recursive: true });
    await build({
      entryPoints: [ENTRY],
      outfile: BUNDLE,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "error",
    });
    // The bundle finds the process launcher's script beside itself, as the sources do.
    await copyFile(LAUNCHER_SCRIPT, join(dirname(BUNDLE), basename(LAUNCHER_SCRIPT)));
    return BUNDLE;
  })();
  return bundling;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves once the worker listens for wake-ups and claims. */
  ready: Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  request(request: WorkerRequest): Promise<unknown>;
  stderr(): string;
}

export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const bundle = await workerBundle();
  const child = fork(bundle, [], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === "ready") {
        child.off("message", onMessage);
        resolve();
      }
    };
    child.on("message", onMessage);
    void exited.then((code) => reject(new Error(`worker process exited (${code}) before it was ready: ${stderr}`)));
  });
  ready.catch(() => {});
  return {
    child,
    pid: child.pid ?? -1,
    ready,
    exited,
    stderr: () => stderr,
    request: (request) =>
      new Promise((resolve, reject) => {
        const onMessage = (reply: WorkerReply) => {
          if (reply.type === "ready") return;
          child.off("message", onMessage);
          if (reply.type === "error") reject(new Error(reply.message));
          else resolve(reply.outcome);
        };
        child.on("message", onMessage);
        child.send(request);
      }),
  };
}
