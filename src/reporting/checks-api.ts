import type { CheckConclusion } from "./check-status.js";

// The slice of GitHub's Checks API the reporter uses; the app's implementation sits on Probot's
// installation Octokit, tests reach it through nock.

export interface CheckRunFields {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: CheckConclusion;
  started_at?: string;
  completed_at?: string;
  external_id?: string;
  details_url?: string;
  output: { title: string; summary: string; text?: string };
}

export interface ChecksApi {
  create(installationId: number, repository: string, headSha: string, fields: CheckRunFields): Promise<{ id: number }>;
  update(installationId: number, repository: string, checkRunId: number, fields: CheckRunFields): Promise<void>;
}
