import type { InstallationOctokit } from "../github-app/installation-octokit.js";

/**
 * This app's id, from the credentials the Octokit signs with (no request is made). A check-run
 * event is acted on only when the check is this app's: another app's check may carry any
 * `external_id`, including one of ours.
 */
export async function ownAppId(octokit: InstallationOctokit): Promise<number | null> {
  const auth = (await octokit.auth({ type: "app" })) as { appId?: number | string };
  const id = Number(auth.appId);
  return Number.isFinite(id) ? id : null;
}

export async function isOwnApp(octokit: InstallationOctokit, app: { id: number | null } | null | undefined): Promise<boolean> {
  if (!app || app.id === null) return false;
  return (await ownAppId(octokit)) === app.id;
}
