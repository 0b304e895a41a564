import type { InstallationOctokit } from "../github-app/installation-octokit.js";

export type Authorization = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether `username` may start work in a repository: write access or more, asked of GitHub's
 * collaborator permission API (a comment's author_association says nothing about access).
 */
export async function authorizeWrite(
  octokit: InstallationOctokit,
  owner: string,
  repo: string,
  username: string,
): Promise<Authorization> {
  const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
  const role = (data as { role_name?: string }).role_name;
  if (data.permission === "admin" || data.permission === "write" || role === "maintain") return { allowed: true };
  return {
    allowed: false,
    reason: `@${username} needs write access to ${owner}/${repo} to run automations here (has: ${data.permission}).`,
  };
}
