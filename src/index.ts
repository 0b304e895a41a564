import type { ApplicationFunction, Probot } from "probot";
import { onIssueComment, type IngressDeps } from "./ingress/on-issue-comment.js";

export interface AppHooks extends IngressDeps {
  /** Called once the app is loaded with credentials, to start the workers and the reporter. */
  onLoad?(app: Probot): void;
}

/** The Probot app: wires webhook handlers to their stages, nothing else. */
export function automationsApp(deps: AppHooks): ApplicationFunction {
  return (app) => {
    app.on("issue_comment.created", onIssueComment(deps));
    deps.onLoad?.(app);
  };
}
