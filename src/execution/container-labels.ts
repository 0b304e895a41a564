// Labels on every action's container, so one left behind by a lost worker can be found.
export const ACTION_LABEL = "automations.action-id";
export const RUN_LABEL = "automations.run-id";
