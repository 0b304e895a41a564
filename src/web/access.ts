import type { RepositoryAccess } from "./github-user.js";

// One place for who may see and do what on the pages. GitHub's names are case-insensitive, so
// the person's repositories are keyed in lower case.

export type AccessMap = Map<string, RepositoryAccess>;

export function canRead(access: AccessMap, repository: string): boolean {
  return access.has(repository.toLowerCase());
}

/** Cancelling and retrying need write access to the repository the run was started in. */
export function canWrite(access: AccessMap, repository: string): boolean {
  return access.get(repository.toLowerCase()) === "write";
}

export function readableRepositories(access: AccessMap): string[] {
  return [...access.keys()];
}
