import type { StepStatus } from "./statuses.js";

/** What telling which step ended an action needs of each of its steps. */
export interface StepOutcome {
  status: StepStatus;
  /** The definition lets the step fail without failing the action (`continue_on_error`). */
  continueOnError: boolean;
}

/**
 * The step whose failure ended a failed action, from its steps in order: the last one that
 * started, when it failed and either could not fail alone or ran out of time (a time limit ends
 * the action whatever the step allows). None when the action failed otherwise: before its steps,
 * or after them (publishing its changes), its reason then says why. A step that failed and let
 * the next ones run did not end it.
 */
export function endingStep<S extends StepOutcome>(steps: readonly S[], timedOut: boolean): S | undefined {
  const last = steps.filter((step) => step.status !== "pending" && step.status !== "skipped").at(-1);
  if (last?.status !== "failed") return undefined;
  return !last.continueOnError || timedOut ? last : undefined;
}
