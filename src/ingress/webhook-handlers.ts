import type { Context } from "probot";
import { onIssueComment, type IngressDeps } from "./on-issue-comment.js";
import { onCheckRunRequestedAction, onCheckRunRerequested } from "./on-check-run.js";
import { onCheckSuiteRerequested } from "./on-check-suite.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WebhookHandler = (context: Context<any>) => Promise<void>;

/** Every event the app acts on, by `event.action`, with its handler. One list: the app subscribes to exactly these. */
export function webhookHandlers(deps: IngressDeps): ReadonlyMap<string, WebhookHandler> {
  return new Map<string, WebhookHandler>([
    ["issue_comment.created", onIssueComment(deps)],
    ["check_run.rerequested", onCheckRunRerequested(deps)],
    ["check_run.requested_action", onCheckRunRequestedAction(deps)],
    ["check_suite.rerequested", onCheckSuiteRerequested(deps)],
  ]);
}
