import { spawn } from "node:child_process";

/**
 * Lets the container's non-root user, whichever uid it is, write the checkout: read and write
 * for all, and search on directories (`X` leaves file modes git tracks unchanged). The
 * workspace root above it stays the app's alone.
 */
export function makeWritableForContainer(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("chmod", ["-R", "a+rwX", dir], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`Could not make the workspace ${dir} writable for the container: ${stderr.trim() || `chmod exited with ${code}`}`));
    });
  });
}
