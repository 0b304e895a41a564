import type { Logger } from "pino";
import { splitRepository, type InstallationOctokit } from "../github-app/installation-octokit.js";
import { renderRefusedRerunCheck, type RefusedRerunInput } from "../reporting/render-refused-rerun.js";
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
  const check = renderRefusedRerunCheck({ automation: source.automation, ...refusal });
  try {
    await ctx.octokit.rest.checks.create({
      ...splitRepository(source.repository),
      head_sha: source.headSha,
      name: check.name,
      status: "completed",
      conclusion: "neutral",
      completed_at: new Date().toISOString(),
      output: { title: check.title, summary: check.summary },
    });
  } catch (err) {
    ctx.log.warn({ err }, "could not create the check run saying why the re-run was not started");
  }
}
