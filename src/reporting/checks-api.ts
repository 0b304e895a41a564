import type { CheckConclusion } from "./check-status.js";

// The slice of GitHub's Checks API the reporter uses; the app's implementation sits on the
// installation's token (src/github-app/octokit-checks.ts), tests reach it through nock.

export interface CheckRunFields {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: CheckConclusion;
  started_at?: string;
  completed_at?: string;
  external_id?: string;
  details_url?: string;
  output: { title: string; summary: string; text?: string };
  /** Buttons on a completed check (`check_run.requested_action`); an empty list removes them. */
  actions?: Array<{ label: string; identifier: string; description: string }>;
}

export interface ChecksApi {
  create(installationId: number, repository: string, headSha: string, fields: CheckRunFields): Promise<{ id: number }>;
  update(installationId: number, repository: string, checkRunId: number, fields: CheckRunFields): Promise<void>;
  /**
   * The check run named `name` with `externalId` on `headSha`, if one exists: a create whose
   * answer was lost (timeout, crash) may have made it.
   */
  find(installationId: number, repository: string, headSha: string, name: string, externalId: string): Promise<{ id: number } | null>;
}
