import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import { splitRepository } from "../github-app/installation-octokit.js";

export type Authorization = { allowed: true } | { allowed: false; reason: string };

/** What GitHub says a person may do in one repository; `permission` is GitHub's word for it. */
export type WriteAccess = { allowed: true } | { allowed: false; permission: string };

/** Answers "may `username` write to `owner/repo`?", asking GitHub at most once per repository. */
export type WriteAccessCheck = (fullName: string) => Promise<WriteAccess>;

/**
 * Write access or more, asked of GitHub's collaborator permission API (a comment's
 * author_association says nothing about access). One checker serves one command: a run over
 * many targets asks once per repository, the commented one included.
 */
export function writeAccessChecker(octokit: InstallationOctokit, username: string): WriteAccessCheck {
  const answers = new Map<string, Promise<WriteAccess>>();
  return (fullName) => {
    const key = fullName.toLowerCase();
    let answer = answers.get(key);
    if (!answer) {
      answer = askWriteAccess(octokit, fullName, username);
      // A failed request is not an answer; the next question asks again.
      answer.catch(() => answers.delete(key));
      answers.set(key, answer);
    }
    return answer;
  };
}

async function askWriteAccess(octokit: InstallationOctokit, fullName: string, username: string): Promise<WriteAccess> {
  const { owner, repo } = splitRepository(fullName);
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    const role = (data as { role_name?: string }).role_name;
    if (data.permission === "admin" || data.permission === "write" || role === "maintain") return { allowed: true };
    return { allowed: false, permission: data.permission };
  } catch (err) {
    // GitHub answers 404 for a user who is not a collaborator of a repository they cannot see.
    if (typeof err === "object" && err !== null && "status" in err && err.status === 404) return { allowed: false, permission: "none" };
    throw err;
  }
}

/** Whether `username` may start work in the repository where they commented, and if not, why. */
export async function authorizeWrite(check: WriteAccessCheck, fullName: string, username: string): Promise<Authorization> {
  const access = await check(fullName);
  if (access.allowed) return access;
  return {
    allowed: false,
    reason: `@${username} needs write access to ${fullName} to run automations here (has: ${access.permission}).`,
  };
}
