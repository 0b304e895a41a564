import type { CheckRunFields } from "./checks-api.js";

/**
 * What this process last put on each check run, so a send that would change nothing is not
 * made: e.g. a progress row sent after the action had completed, then the completion's own row.
 * A check's state only moves forward, so the same fields again are never a correction. Bounded:
 * the check runs not sent to for longest are forgotten (their next send is made, as before).
 */
export interface SentFields {
  unchanged(checkRunId: number, fields: CheckRunFields): boolean;
  remember(checkRunId: number, fields: CheckRunFields): void;
}

export function sentFieldsMemory(maxCheckRuns = 10_000): SentFields {
  const last = new Map<number, string>();
  return {
    unchanged: (checkRunId, fields) => last.get(checkRunId) === JSON.stringify(fields),
    remember(checkRunId, fields) {
      // Re-inserted, so the map's order is by last send and the first key is the one to forget.
      last.delete(checkRunId);
      last.set(checkRunId, JSON.stringify(fields));
      if (last.size > maxCheckRuns) last.delete(last.keys().next().value!);
    },
  };
}
