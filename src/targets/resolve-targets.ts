import type { WriteAccessCheck } from "../commands/authorize.js";
import type { TargetsGitHub } from "./github-targets.js";
import { statusOf } from "./github-targets.js";
import { mapWithConcurrency } from "./map-with-concurrency.js";
import { matchProjects } from "./match-projects.js";
import { matchRepositories, restrictToRepositories } from "./match-repositories.js";
import type { CandidateRepository, Skip, Target, TargetsDefinition } from "./target.js";

export interface TargetQuery {
  targets: TargetsDefinition | undefined;
  /** The repository where the command was given, and the commit a run there uses. */
  triggering: CandidateRepository;
  triggeringCommit: () => Promise<string>;
  /** `run <name> owner/repo …`: only these repositories; empty for all. */
  requested: readonly string[];
  /** Who asks, and how to learn whether they may write to a repository; null counts targets for anyone (`list`). */
  requester: { login: string; writeAccess: WriteAccessCheck } | null;
}

export interface NotATarget {
  /** As it was written in the command. */
  repository: string;
  /** Why the definition leaves it out, when it selects it at all. */
  skip: Skip | null;
}

export interface TargetResolution {
  targets: Target[];
  skipped: Skip[];
  notTargets: NotATarget[];
}

/** GitHub requests in flight at once while resolving one command's targets. */
const concurrency = 8;

/**
 * The targets of a definition: repositories by glob and topic, narrowed to those requested and to
 * those the requester may write to, each at its commit, one per project directory when the
 * definition has `projects`. What is left out is returned with a reason.
 */
export async function resolveTargets(github: TargetsGitHub, query: TargetQuery): Promise<TargetResolution> {
  const { targets, triggering } = query;
  const accessible = targets?.repositories === undefined ? [] : await github.accessibleRepositories();
  const matched = matchRepositories(accessible, targets, triggering);
  const { kept, notTargets } = restrictToRepositories(matched.matched, query.requested);
  const skipFor = (name: string) => matched.skipped.find((skip) => skip.repository.toLowerCase() === name.toLowerCase()) ?? null;
  // Archived and fork repositories only matter to a restricted run if they were asked for.
  const definitionSkips = query.requested.length === 0 ? matched.skipped : [];

  const perRepository = await mapWithConcurrency(kept, concurrency, (repo) => targetsOf(github, query, repo));
  return {
    targets: perRepository.flatMap((result) => ("kind" in result ? [] : result)),
    skipped: [...definitionSkips, ...perRepository.flatMap((result) => ("kind" in result ? [result] : []))],
    notTargets: notTargets.map((repository) => ({ repository, skip: skipFor(repository) })),
  };
}

async function targetsOf(github: TargetsGitHub, query: TargetQuery, repo: CandidateRepository): Promise<Target[] | Skip> {
  const repository = repo.fullName;
  const isTriggering = repo.id === query.triggering.id;
  let doing = `check write access to ${repository}`;
  try {
    if (query.requester) {
      const access = await query.requester.writeAccess(repository);
      if (!access.allowed) return { kind: "no-write-access", repository, user: query.requester.login, permission: access.permission };
    }

    doing = `read the default branch of ${repository}`;
    const ref = isTriggering ? await query.triggeringCommit() : await github.defaultBranchHead(repo);
    if (ref === null) return { kind: "no-commits", repository };
    const target = { repository, repositoryId: repo.id, cloneUrl: isTriggering ? query.triggering.cloneUrl : repo.cloneUrl, ref };

    const projectGlobs = query.targets?.projects;
    if (projectGlobs === undefined) return [{ ...target, project: null }];
    doing = `list the directories of ${repository}`;
    const directories = await github.directories(repository, ref, projectGlobs);
    if (directories === "too-large") return { kind: "tree-too-large", repository };
    const projects = matchProjects(directories, projectGlobs);
    if (projects.length === 0) return { kind: "no-projects", repository };
    return projects.map((project) => ({ ...target, project }));
  } catch (err) {
    // One repository GitHub cannot answer for leaves the others' targets standing.
    return { kind: "github-error", repository, doing, status: statusOf(err) };
  }
}
