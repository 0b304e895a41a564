import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, runs } from "../runs/runs.sql.js";
import type { ChecksApi, CheckRunFields } from "./checks-api.js";
import { checkRunStatus, type CheckRunStatus } from "./check-status.js";
import { loadActionView } from "./load-action-view.js";
import { loadRunSummary } from "./load-run-summary.js";
import { renderActionCheck } from "./render-action-check.js";
import { renderRunSummary } from "./render-run-summary.js";
import { fitSession } from "./fit-session.js";
import type { PageLinks } from "./page-links.js";
import type { SentFields } from "./sent-fields.js";

// One send: the current state of a check (an action's or a run's summary) rendered and put on
// GitHub, creating the check run the first time. A create whose answer was lost is looked up
// before creating again, so each action and each run has exactly one check run.

export interface SendDeps {
  db: Db;
  checks: ChecksApi;
  links: PageLinks | null;
  /**
   * Storing a check run's id locks the action's row for a moment, long enough for a worker's
   * SKIP LOCKED claim to pass over it: the worker is woken to look again.
   */
  onActionRowWritten?(): void;
  /** What was last sent to each check run; absent: every send is made. */
  sent?: SentFields;
}

interface Target {
  installationId: number;
  repository: string;
  headSha: string;
  checkRunId: number | null;
  externalId: string;
  fields: CheckRunFields;
  /** Stores a created or adopted check run's id, unless one is stored already. */
  store(id: number): Promise<void>;
}

function statusFields(check: CheckRunStatus, startedAt: Date | null, finishedAt: Date | null) {
  return {
    status: check.status,
    ...(startedAt && check.status !== "queued" ? { started_at: startedAt.toISOString() } : {}),
    ...(check.status === "completed"
      ? { conclusion: check.conclusion, completed_at: (finishedAt ?? new Date()).toISOString() }
      : {}),
  };
}

/** `begunBefore`: an earlier send of this check began and did not finish. */
export async function sendActionCheck(deps: SendDeps, actionId: string, begunBefore: boolean): Promise<void> {
  const state = await loadActionView(deps.db, actionId);
  if (!state) return; // deleted with its run: nothing left to show
  const rendered = renderActionCheck(state.view);
  const fields: CheckRunFields = {
    name: rendered.name,
    external_id: actionId,
    ...(deps.links ? { details_url: deps.links.action(actionId) } : {}),
    ...statusFields(checkRunStatus(state.view), state.view.startedAt, state.view.finishedAt),
    output: {
      title: rendered.title,
      summary: rendered.summary,
      ...(state.session ? { text: fitSession(state.session) } : {}),
    },
  };
  await put(deps, begunBefore, {
    installationId: state.installationId,
    repository: state.checkRepository,
    headSha: state.headSha,
    checkRunId: state.checkRunId,
    externalId: actionId,
    fields,
    store: async (id) => {
      await deps.db.update(actions).set({ checkRunId: id }).where(and(eq(actions.id, actionId), isNull(actions.checkRunId)));
      deps.onActionRowWritten?.();
    },
  });
}

/** The `external_id` of a run's summary check. */
export const summaryExternalId = (runId: string) => `run:${runId}`;

export async function sendRunSummary(deps: SendDeps, runId: string, begunBefore: boolean): Promise<void> {
  const state = await loadRunSummary(deps.db, runId);
  if (!state) return;
  const links = deps.links;
  const rendered = renderRunSummary({ ...state.input, ...(links ? { actionUrl: links.action } : {}) });
  const fields: CheckRunFields = {
    name: rendered.name,
    external_id: summaryExternalId(runId),
    ...(links ? { details_url: links.run(runId) } : {}),
    ...statusFields(rendered.check, state.input.createdAt, state.input.finishedAt),
    output: { title: rendered.title, summary: rendered.summary },
    ...(rendered.actions.length > 0 ? { actions: rendered.actions } : {}),
  };
  await put(deps, begunBefore, {
    installationId: state.installationId,
    repository: state.checkRepository,
    headSha: state.headSha,
    checkRunId: state.checkRunId,
    externalId: summaryExternalId(runId),
    fields,
    store: async (id) => {
      await deps.db.update(runs).set({ summaryCheckRunId: id }).where(and(eq(runs.id, runId), isNull(runs.summaryCheckRunId)));
    },
  });
}

async function put(deps: SendDeps, begunBefore: boolean, target: Target): Promise<void> {
  const { checks } = deps;
  let id = target.checkRunId;
  if (id === null && begunBefore) {
    const found = await checks.find(target.installationId, target.repository, target.headSha, target.fields.name, target.externalId);
    if (found) {
      id = found.id;
      await target.store(id);
    }
  }
  if (id === null) {
    const created = await checks.create(target.installationId, target.repository, target.headSha, target.fields);
    deps.sent?.remember(created.id, target.fields);
    await target.store(created.id);
    return;
  }
  if (deps.sent?.unchanged(id, target.fields)) return;
  await checks.update(target.installationId, target.repository, id, target.fields);
  deps.sent?.remember(id, target.fields);
}
