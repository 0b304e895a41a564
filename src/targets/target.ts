import type { AutomationDefinition } from "../automations/definition-schema.js";
import type { SkippedTarget } from "../runs/runs.sql.js";

/** `targets:` of a definition, with its defaults applied; absent means "the triggering repository". */
export type TargetsDefinition = NonNullable<AutomationDefinition["targets"]>;

/** A repository the installation can access, as GitHub lists it. */
export interface CandidateRepository {
  /** `owner/repo`. */
  fullName: string;
  id: number;
  /** As GitHub reports it, so GitHub Enterprise Server hosts are right. */
  cloneUrl: string;
  defaultBranch: string;
  archived: boolean;
  fork: boolean;
  topics: string[];
}

/** One action's worth of work: a repository at a commit, or a project directory inside it. */
export interface Target {
  repository: string;
  repositoryId: number;
  cloneUrl: string;
  /** The commit cloned: the triggering commit in the triggering repository, else the default branch head. */
  ref: string;
  /** A directory relative to the repository's root, or null for the whole repository. */
  project: string | null;
}

/** Why a repository that the definition names is left out of a run. */
export type Skip =
  | { kind: "archived"; repository: string }
  | { kind: "fork"; repository: string }
  | { kind: "no-write-access"; repository: string; user: string; permission: string }
  | { kind: "no-projects"; repository: string }
  | { kind: "no-commits"; repository: string }
  | { kind: "tree-too-large"; repository: string }
  | { kind: "github-error"; repository: string; doing: string; status: number | null };

/** The reason as a person reads it: what is wrong, and what would change it. */
export function skipReason(skip: Skip): string {
  switch (skip.kind) {
    case "archived":
      return "archived (set targets.include_archived: true to include archived repositories)";
    case "fork":
      return "a fork (set targets.include_forks: true to include forks)";
    case "no-write-access":
      return `${skip.user} cannot write to it (permission: ${skip.permission}); someone with write access can run it there`;
    case "no-projects":
      return "no directory in it matches targets.projects";
    case "no-commits":
      return "its default branch has no commits";
    case "tree-too-large":
      return "too many directories to search for targets.projects; name the directories more precisely";
    case "github-error":
      return `could not ${skip.doing}${skip.status === null ? "" : ` (GitHub answered ${skip.status})`}; try again in a moment`;
  }
}

/**
 * Skips that a person who asked for a run should hear about. The others follow from the
 * definition itself (archived, forks, repositories without matching projects) and are shown by `plan`.
 */
export function isSurprisingSkip(skip: Skip): boolean {
  return skip.kind === "no-write-access" || skip.kind === "github-error" || skip.kind === "tree-too-large";
}

export function toSkippedTarget(skip: Skip): SkippedTarget {
  return { target: skip.repository, reason: skipReason(skip) };
}

/** How a target is named everywhere: `owner/repo` or `owner/repo/project`, as in its check's name. */
export function targetName(target: Pick<Target, "repository" | "project">): string {
  return target.project ? `${target.repository}/${target.project}` : target.repository;
}
