// When a check's waiting changes are sent: at once when the check does not exist yet or its phase
// changes (queued → in progress, completed, queued again after a recovery); progress within a
// phase at most once per interval, so a 1,000-action run or a chatty action costs few requests.

export type CheckPhase = "queued" | "in_progress" | "completed";

export interface WaitingChanges {
  /** Phases of the rows waiting to be sent, oldest first. */
  phases: readonly CheckPhase[];
  checkExists: boolean;
  /** The newest row already sent, and when. */
  lastSent: { phase: CheckPhase; at: Date } | null;
  now: Date;
  /** Least time between two progress updates of the same check. */
  intervalMs: number;
}

export type SendDecision = { send: true } | { send: false; until: Date };

export function decideSend(changes: WaitingChanges): SendDecision {
  const { lastSent } = changes;
  if (!changes.checkExists || lastSent === null) return { send: true };
  if (changes.phases.some((phase) => phase !== "in_progress")) return { send: true };
  if (lastSent.phase !== "in_progress") return { send: true };
  const due = lastSent.at.getTime() + changes.intervalMs;
  return changes.now.getTime() >= due ? { send: true } : { send: false, until: new Date(due) };
}
