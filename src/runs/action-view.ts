import type { ActionStatus, StepStatus } from "./statuses.js";

// What the reporter needs to know of an action to show it; read from the database.

export interface StepView {
  index: number;
  name: string;
  status: StepStatus;
  exitCode: number | null;
  /** Why the step ended other than by its exit code, e.g. "timed out after 30m". */
  reason: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The definition lets this step fail without failing the action (`continue_on_error`). */
  continueOnError: boolean;
}

export interface ActionView {
  id: string;
  automation: string;
  /** `owner/repo` */
  repository: string;
  /** Project directory inside the repository, when the target is a project. */
  project: string | null;
  status: ActionStatus;
  /** A readable reason when the action failed or stopped for something other than a step's exit code. */
  reason: string | null;
  /** The action was ended by its time limit. */
  timedOut: boolean;
  startedAt: Date | null;
  finishedAt: Date | null;
  steps: StepView[];
  /** The end of the action's log, masked, oldest first. */
  logTail: string;
  /** How many characters of log came before `logTail`. */
  logOmittedChars: number;
  pullRequestUrl: string | null;
}
