import type { ActionStatus } from "../runs/statuses.js";
import type { RunTrigger } from "../runs/run-trigger.js";
import type { ActionRow } from "./load-run.js";
import type { RunRow } from "./load-runs.js";

// What changed between two runs of an automation: the pure part of the compare page.

export interface ComparedRun {
  definitionSha: string;
  definitionSource: string;
  trigger: RunTrigger;
  secretFingerprints: Record<string, string>;
  actions: ComparedAction[];
}

export interface ComparedAction {
  /** `owner/repo` or `owner/repo/project`: what identifies a target across runs. */
  target: string;
  status: ActionStatus;
  durationMs: number | null;
  pullRequestUrl: string | null;
}

export type SecretChange = { name: string; change: "added" | "removed" | "changed" | "same" };

export interface TargetChange {
  target: string;
  before: ComparedAction | null;
  after: ComparedAction | null;
  statusChanged: boolean;
  pullRequestChanged: boolean;
}

export interface RunComparison {
  definitionChanged: boolean;
  triggerChanged: boolean;
  secrets: SecretChange[];
  targets: TargetChange[];
}

export function compareRuns(before: ComparedRun, after: ComparedRun): RunComparison {
  const names = [...new Set([...Object.keys(before.secretFingerprints), ...Object.keys(after.secretFingerprints)])].sort();
  const secrets = names.map((name): SecretChange => {
    const a = before.secretFingerprints[name];
    const b = after.secretFingerprints[name];
    if (a === undefined) return { name, change: "added" };
    if (b === undefined) return { name, change: "removed" };
    return { name, change: a === b ? "same" : "changed" };
  });

  const byTarget = new Map<string, { before: ComparedAction | null; after: ComparedAction | null }>();
  for (const a of before.actions) byTarget.set(a.target, { before: a, after: null });
  for (const a of after.actions) byTarget.set(a.target, { before: byTarget.get(a.target)?.before ?? null, after: a });
  const targets = [...byTarget.entries()]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([target, { before: b, after: a }]) => ({
      target,
      before: b,
      after: a,
      statusChanged: b?.status !== a?.status,
      pullRequestChanged: (b?.pullRequestUrl ?? null) !== (a?.pullRequestUrl ?? null),
    }));

  return {
    definitionChanged: before.definitionSha !== after.definitionSha || before.definitionSource !== after.definitionSource,
    triggerChanged: triggerKey(before.trigger) !== triggerKey(after.trigger),
    secrets,
    targets,
  };
}

/** The kind of trigger and who pulled it: a different comment by the same person is no change. */
function triggerKey(trigger: RunTrigger): string {
  return `${trigger.kind}:${trigger.sender}`;
}

/** The name a target has on the pages and in comparisons. */
export function targetName(repository: string, project: string | null): string {
  return project ? `${repository}/${project}` : repository;
}

/** A run as the comparison sees it, with those of `actions` that belong to it. */
export function comparedRun(run: RunRow, actions: readonly ActionRow[]): ComparedRun {
  return {
    definitionSha: run.definitionSha,
    definitionSource: run.definitionSource,
    trigger: run.trigger,
    secretFingerprints: run.secretFingerprints,
    actions: actions
      .filter((a) => a.runId === run.id)
      .map((a) => ({
        target: targetName(a.repository, a.project),
        status: a.status,
        durationMs: a.startedAt && a.finishedAt ? a.finishedAt.getTime() - a.startedAt.getTime() : null,
        pullRequestUrl: a.pullRequestUrl,
      })),
  };
}
