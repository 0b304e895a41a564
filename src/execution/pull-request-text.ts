import type { RunTrigger } from "../runs/run-trigger.js";
import { paths } from "../web/format.js";

// The words of a pull request and its commit: the definition's, plus where they came from, so a
// reviewer can find the run (and its log) that produced the change.

export interface RunOrigin {
  runId: string;
  automation: string;
  /** The repository where the run was started, `owner/repo`. */
  repository: string;
  trigger: RunTrigger;
  /** The project directory inside the repository, for monorepo targets. */
  project: string | null;
  /** The app's public address (`PUBLIC_URL`), when it has one. */
  publicUrl: string | undefined;
}

/** The app's page for a run. */
export function runPageUrl(publicUrl: string, runId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${paths.run(runId)}`;
}

/** Several projects of one repository get several pull requests; the title tells them apart. */
export function pullRequestTitle(title: string, project: string | null): string {
  return project ? `${title} (${project})` : title;
}

export function pullRequestBody(body: string, origin: RunOrigin): string {
  const run = origin.publicUrl ? `[run \`${origin.runId}\`](${runPageUrl(origin.publicUrl, origin.runId)})` : `run \`${origin.runId}\``;
  const project = origin.project ? ` for \`${origin.project}\`` : "";
  const footer = `Changes from ${run} of the \`${origin.automation}\` automation${project}, ${startedBy(origin)}.`;
  return body.trim() ? `${body.trim()}\n\n---\n\n${footer}` : footer;
}

export function commitMessage(title: string, origin: RunOrigin): string {
  const lines = [`Automation: ${origin.automation}`, `Run: ${origin.publicUrl ? runPageUrl(origin.publicUrl, origin.runId) : origin.runId}`];
  if (origin.project) lines.push(`Project: ${origin.project}`);
  return `${title}\n\n${lines.join("\n")}\n`;
}

function startedBy(origin: RunOrigin): string {
  const { trigger } = origin;
  const who = `@${trigger.sender}`;
  switch (trigger.kind) {
    case "comment":
      return `started by ${who} from ${origin.repository}#${trigger.issueNumber}`;
    case "check-rerun":
    case "suite-rerun":
      return `re-run by ${who}`;
    case "retry-failed":
      return `retried by ${who}`;
    case "page":
      return `started by ${who} from the app's pages`;
  }
}
