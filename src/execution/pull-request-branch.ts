// Which branch an action's changes go to. Every target gets its own pull request, so a project
// inside a monorepo gets its own branch: the definition's branch plus a slug of the project path.

const slugMaxChars = 80;

export function pullRequestBranch(branch: string, project: string | null): string {
  if (project === null) return branch;
  const slug = projectSlug(project);
  return slug ? `${branch}/${slug}` : branch;
}

/** `services/api` → `services-api`: only characters git accepts anywhere in a ref component. */
export function projectSlug(project: string): string {
  return project
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/-{2,}/g, "-")
    .slice(0, slugMaxChars)
    .replace(/^[.-]+|[.-]+$/g, "")
    .replace(/\.lock$/i, "-lock");
}
