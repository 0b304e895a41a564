/** What started a run; stored with it. `sender` is the GitHub login of the person behind it. */
export type RunTrigger =
  | {
      kind: "comment";
      commentId: number;
      /** The issue or pull request the comment is on. */
      issueNumber: number;
      isPullRequest: boolean;
      sender: string;
    }
  /** The Re-run button on one action's check (`check_run.rerequested`). */
  | { kind: "check-rerun"; checkRunId: number; sender: string }
  /** Re-run all checks of a suite (`check_suite.rerequested`). */
  | { kind: "suite-rerun"; checkSuiteId: number; sender: string }
  /** The `retry-failed` button on a run's summary check. */
  | { kind: "retry-failed"; checkRunId: number; sender: string }
  /** Started from the app's own pages. */
  | { kind: "page"; sender: string };

export type RunTriggerKind = RunTrigger["kind"];

/** A button GitHub shows on this app's checks. */
export type ButtonTrigger = Extract<RunTrigger, { kind: "check-rerun" | "suite-rerun" | "retry-failed" }>;
