import { stripTerminalEscapes } from "./terminal-text.js";

// Failures grouped by signature, so a person sees at once whether a failure is systemic (one
// group across many targets: look at the definition or shared credentials) or isolated.

export interface FailedActionFacts {
  target: string;
  /** The step that failed, or null when the action failed outside its steps (clone, container). */
  step: { index: number; name: string; exitCode: number | null; reason: string | null } | null;
  /** The action's own reason, for a failure outside the steps. */
  reason: string | null;
  timedOut: boolean;
  /** The last error line of the log, as stored. */
  errorLine: string | null;
}

export interface FailureGroup {
  /** Where it failed: `step 2 "Test"`, or null for before or outside the steps. */
  step: { index: number; name: string } | null;
  /** "exit code 1", "timed out after 30m", …, as the first target of the group has it. */
  cause: string;
  /** The first target's last error line (colour codes removed), as an example. */
  errorLine: string | null;
  targets: string[];
}

/**
 * Makes error text from different targets comparable: what differs from one target to the next
 * (numbers, paths, hex ids and SHAs, UUIDs, URLs, times) becomes a placeholder.
 */
export function normaliseErrorText(text: string): string {
  return stripTerminalEscapes(text)
    .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<time>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<id>")
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`)\]]+/gi, "<url>")
    // Paths: absolute, home-relative, or relative with at least one separator.
    .replace(/(?:~|\.{1,2})?(?:\/[\w.@+-]+)+\/?|\b[A-Za-z]:\\[^\s'"`]*|\b[\w.@+-]+(?:\/[\w.@+-]+)+/g, "<path>")
    // Hex ids: 7 or more hex digits with at least one digit and one letter, or 0x-prefixed.
    .replace(/\b0x[0-9a-f]+\b/gi, "<hex>")
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, "<hex>")
    .replace(/\d+(?:\.\d+)*/g, "<n>")
    .replace(/\s+/g, " ")
    .trim();
}

/** The cause a person reads: exit code, reason, or both. */
function causeOf(failure: FailedActionFacts): string {
  const step = failure.step;
  if (step) {
    if (step.exitCode !== null) return `exit code ${step.exitCode}`;
    if (step.reason) return step.reason;
  }
  if (failure.reason) return failure.reason;
  return failure.timedOut ? "timed out" : "failed";
}

function signatureOf(failure: FailedActionFacts): string {
  const where = failure.step ? `${failure.step.index}\u0000${failure.step.name}` : "";
  // An exit code is kept as it is: 1 and 137 are different failures. Reasons carry details.
  const cause = failure.step?.exitCode != null ? `exit ${failure.step.exitCode}` : normaliseErrorText(causeOf(failure));
  const line = failure.errorLine ? normaliseErrorText(failure.errorLine) : "";
  return [where, failure.timedOut ? "t" : "", cause, line].join("\u0001");
}

/** Groups failed actions by step and error signature, largest group first, then by step order. */
export function groupFailures(failures: readonly FailedActionFacts[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const failure of failures) {
    const key = signatureOf(failure);
    const group = groups.get(key);
    if (group) {
      group.targets.push(failure.target);
      continue;
    }
    groups.set(key, {
      step: failure.step ? { index: failure.step.index, name: failure.step.name } : null,
      cause: causeOf(failure),
      errorLine: failure.errorLine ? stripTerminalEscapes(failure.errorLine).trim() : null,
      targets: [failure.target],
    });
  }
  return [...groups.values()].sort(
    (a, b) => b.targets.length - a.targets.length || (a.step?.index ?? -1) - (b.step?.index ?? -1),
  );
}
