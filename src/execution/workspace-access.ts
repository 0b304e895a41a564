import { runProcess } from "./process-launcher/run-process.js";

/**
 * Lets the container's non-root user, whichever uid it is, write the checkout: read and write
 * for all, and search on directories (`X` leaves file modes git tracks unchanged). The
 * workspace root above it stays the app's alone.
 */
export async function makeWritableForContainer(dir: string): Promise<void> {
  const result = await runProcess("chmod", ["-R", "a+rwX", dir]);
  if (result.code === 0) return;
  const said = result.stderr.trim() || (result.signal ? `chmod was killed by ${result.signal}` : `chmod exited with ${result.code}`);
  throw new Error(`Could not make the workspace ${dir} writable for the container: ${said}`);
}
