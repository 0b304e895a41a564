import type { ChecksApi } from "../reporting/checks-api.js";
import { splitRepository, type OctokitForInstallation } from "./installation-octokit.js";

export function octokitChecks(octokitFor: OctokitForInstallation): ChecksApi {
  return {
    async create(installationId, repository, headSha, fields) {
      const octokit = await octokitFor(installationId);
      const { data } = await octokit.rest.checks.create({ ...splitRepository(repository), head_sha: headSha, ...fields });
      return { id: data.id };
    },
    async update(installationId, repository, checkRunId, fields) {
      const octokit = await octokitFor(installationId);
      await octokit.rest.checks.update({ ...splitRepository(repository), check_run_id: checkRunId, ...fields });
    },
  };
}
