import type { Logger } from "pino";
import type { CheckRunAnnotation } from "../reporting/render-definition-errors.js";
import type { InstallationOctokit } from "./installation-octokit.js";

/** A check run created finished, for what has no run to report it (a refusal, an invalid definition). */
export interface ConcludedCheck {
  name: string;
  conclusion: "failure" | "neutral";
  title: string;
  summary: string;
  annotations?: CheckRunAnnotation[];
}

/**
 * Creates `check` finished on `headSha` of `owner/repo`. Best effort: what it says is also in a
 * reply or the log, so a failure (the commit included, when it must be looked up) is logged as
 * `could not create the check run <what>`, never thrown.
 */
export async function createConcludedCheck(
  ctx: { octokit: InstallationOctokit; log: Pick<Logger, "warn"> },
  on: { owner: string; repo: string; headSha: () => Promise<string> },
  check: () => ConcludedCheck,
  what: string,
): Promise<void> {
  try {
    const headSha = await on.headSha();
    const { name, conclusion, title, summary, annotations } = check();
    await ctx.octokit.rest.checks.create({
      owner: on.owner,
      repo: on.repo,
      head_sha: headSha,
      name,
      status: "completed",
      conclusion,
      completed_at: new Date().toISOString(),
      output: { title, summary, ...(annotations ? { annotations } : {}) },
    });
  } catch (err) {
    ctx.log.warn({ err }, `could not create the check run ${what}`);
  }
}
