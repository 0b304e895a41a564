import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Docker from "dockerode";

/** The tiny busybox image the tests run containers from (scripts/build-test-image.sh). */
export const TEST_IMAGE = process.env.AUTOMATIONS_TEST_IMAGE ?? "automations-test:busybox";

const BUILD_SCRIPT = fileURLToPath(new URL("../../scripts/build-test-image.sh", import.meta.url));

/** The test image plus the example shell agent (scripts/build-agent-image.sh). */
export const AGENT_IMAGE = process.env.AUTOMATIONS_AGENT_IMAGE ?? "automations-test:agent";

const AGENT_BUILD_SCRIPT = fileURLToPath(new URL("../../scripts/build-agent-image.sh", import.meta.url));

function onCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/** True when the engine named by DOCKER_HOST (or the default socket) answers a ping. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    // A short timeout so a hung engine counts as absent; other settings still come from DOCKER_HOST.
    await new Docker({ timeout: 3_000 }).ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether tests needing Docker should be skipped: only on a developer machine without Docker.
 * On CI a missing engine is a broken setup, so this throws instead of letting tests pass silently.
 */
export async function shouldSkipDockerTests(): Promise<boolean> {
  if (await dockerAvailable()) return false;
  if (onCi()) {
    throw new Error(
      "CI is set but no Docker engine answers (DOCKER_HOST or /var/run/docker.sock); " +
        "start dockerd on the CI machine rather than skipping the Docker tests.",
    );
  }
  return true;
}

/** Builds TEST_IMAGE with scripts/build-test-image.sh when the engine does not have it yet. */
export async function ensureTestImage(): Promise<void> {
  try {
    await new Docker().getImage(TEST_IMAGE).inspect();
    return;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  await promisify(execFile)("bash", [BUILD_SCRIPT, TEST_IMAGE]);
}

/** Builds AGENT_IMAGE with scripts/build-agent-image.sh when the engine does not have it yet. */
export async function ensureAgentImage(): Promise<void> {
  await ensureTestImage();
  try {
    await new Docker().getImage(AGENT_IMAGE).inspect();
    return;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  await promisify(execFile)("bash", [AGENT_BUILD_SCRIPT, AGENT_IMAGE], {
    env: { ...process.env, AUTOMATIONS_TEST_IMAGE: TEST_IMAGE },
  });
}
