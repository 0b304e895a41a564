import type { InstallationTokens } from "../execution/installation-tokens.js";
import type { OctokitForInstallation } from "./installation-octokit.js";

export function octokitTokens(octokitFor: OctokitForInstallation): InstallationTokens {
  return {
    async tokenFor(installationId) {
      const octokit = await octokitFor(installationId);
      const auth = (await octokit.auth({ type: "installation" })) as { token: string };
      return auth.token;
    },
  };
}
