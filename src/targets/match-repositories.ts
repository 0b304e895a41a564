import { isSameRepository } from "../automations/definition-location.js";
import { globListMatcher } from "./glob-list.js";
import type { CandidateRepository, Skip, TargetsDefinition } from "./target.js";

export interface RepositoryMatch {
  /** In a stable order (by name), so a run's actions keep their positions from one run to the next. */
  matched: CandidateRepository[];
  /** Repositories the globs and topics select that the definition leaves out (archived, forks). */
  skipped: Skip[];
}

/**
 * The repositories a definition's `targets` select among those the installation can access. Pure.
 * Without `targets.repositories` the target is the triggering repository itself, as it is: only the
 * topics, if any, still filter it (archived and fork exclusions are about what globs sweep in).
 */
export function matchRepositories(
  accessible: readonly CandidateRepository[],
  targets: TargetsDefinition | undefined,
  triggering: CandidateRepository,
): RepositoryMatch {
  const topics = (targets?.topics ?? []).map((topic) => topic.toLowerCase());
  const hasTopic = (repo: CandidateRepository) =>
    topics.length === 0 || repo.topics.some((topic) => topics.includes(topic.toLowerCase()));

  if (targets?.repositories === undefined) {
    return { matched: hasTopic(triggering) ? [triggering] : [], skipped: [] };
  }

  // GitHub's owner and repository names are case-insensitive.
  const selects = globListMatcher(targets.repositories, { nocase: true });
  const matched: CandidateRepository[] = [];
  const skipped: Skip[] = [];
  for (const repo of [...accessible].sort(byName)) {
    if (!selects(repo.fullName) || !hasTopic(repo)) continue;
    if (repo.archived && !targets.include_archived) skipped.push({ kind: "archived", repository: repo.fullName });
    else if (repo.fork && !targets.include_forks) skipped.push({ kind: "fork", repository: repo.fullName });
    else matched.push(repo);
  }
  return { matched, skipped };
}

export interface Restriction {
  kept: CandidateRepository[];
  /** Repositories asked for that the automation does not target, as they were written. */
  notTargets: string[];
}

/**
 * `run <name> owner/repo …`: only the named repositories among the matched ones. An empty list
 * asks for no restriction.
 */
export function restrictToRepositories(matched: readonly CandidateRepository[], requested: readonly string[]): Restriction {
  if (requested.length === 0) return { kept: [...matched], notTargets: [] };
  const kept = matched.filter((repo) => requested.some((name) => isSameRepository(name, repo.fullName)));
  const notTargets = requested.filter((name) => !matched.some((repo) => isSameRepository(name, repo.fullName)));
  return { kept, notTargets };
}

function byName(a: CandidateRepository, b: CandidateRepository): number {
  const x = a.fullName.toLowerCase();
  const y = b.fullName.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
