import type { Probot, ProbotOctokit } from "probot";

export type InstallationOctokit = InstanceType<typeof ProbotOctokit>;
export type OctokitForInstallation = (installationId: number) => Promise<InstallationOctokit>;

/** An Octokit authenticated as the installation; Probot caches the token until it expires. */
export function octokitForInstallation(app: Probot): OctokitForInstallation {
  return (installationId) => app.auth(installationId);
}

export function splitRepository(fullName: string): { owner: string; repo: string } {
  const [owner, repo, ...rest] = fullName.split("/");
  if (!owner || !repo || rest.length > 0) throw new Error(`"${fullName}" is not an owner/repo name`);
  return { owner, repo };
}
