import type { Logger } from "pino";
import { splitRepository, type InstallationOctokit } from "../github-app/installation-octokit.js";
import { renderRefusedRerunCheck, type RefusedRerunInput } from "../reporting/render-refused-rerun.js";
import { createConcludedCheck } from "../github-app/create-concluded-check.js";
import type { RerunSource } from "./rerun-sources.js";

/**
 * A neutral check run on the source run's commit saying why a button started nothing and what
 * to do. Best effort, as the log says the same: a failure here is logged, never thrown, so it
 * cannot make the delivery be handled again.
 */
export async function createRefusedRerunCheck(
  ctx: { octokit: InstallationOctokit; log: Logger },
  source: Pick<RerunSource, "automation" | "repository" | "headSha">,
  refusal: Omit<RefusedRerunInput, "automation">,
): Promise<void> {
  await createConcludedCheck(
    ctx,
    { ...splitRepository(source.repository), headSha: async () => source.headSha },
    () => ({ ...renderRefusedRerunCheck({ automation: source.automation, ...refusal }), conclusion: "neutral" }),
    "saying why the re-run was not started",
  );
}
