import { spawn } from "node:child_process";

/** Runs the docker CLI with its output thrown away (as a shell's `> /dev/null` would); rejects on failure. */
export function docker(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`docker ${args.join(" ")} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** Calls `task(i)` for i in [0, count) with at most `parallelism` at once. */
export async function inParallel(count: number, parallelism: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, count) }, lane));
}
