import type { ClaimedAction } from "../queue/claim-action.js";

/** Variables every step sees, so scripts can tell where and for what they run. */
export function stepEnvironment(action: ClaimedAction, stepEnv: Record<string, string> | undefined): Record<string, string> {
  return {
    CI: "true",
    AUTOMATION: "true",
    AUTOMATION_NAME: action.run.automation,
    AUTOMATION_RUN_ID: action.runId,
    AUTOMATION_ACTION_ID: action.id,
    AUTOMATION_REPOSITORY: action.repository,
    ...(action.project ? { AUTOMATION_PROJECT: action.project } : {}),
    ...(stepEnv ?? {}),
  };
}
