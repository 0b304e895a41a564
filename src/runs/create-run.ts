import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import type { AutomationDefinition } from "../automations/definition-schema.js";
import { actions, actionSteps, runs, type SkippedTarget } from "./runs.sql.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import type { RunTrigger } from "./run-trigger.js";

export interface NewTarget {
  repository: string;
  repositoryId: number;
  cloneUrl: string;
  ref: string;
  project: string | null;
}

export interface NewRun {
  automation: string;
  installationId: number;
  repository: string;
  repositoryId: number;
  headSha: string;
  trigger: RunTrigger;
  deliveryId: string;
  commandIndex: number;
  definition: AutomationDefinition;
  definitionSource: string;
  definitionPath: string;
  definitionSha: string;
  definitionRepository: string;
  targets: NewTarget[];
  /** The run this one re-runs (Re-run button, Re-run all, retry-failed). */
  rerunOf?: string;
  /** Targets left out, and why. */
  skippedTargets?: SkippedTarget[];
}

/**
 * Records a run, its actions and their steps in one transaction, so a run is never half there.
 * The same delivery and command give back the run already made instead of a second one.
 */
export async function createRun(db: Db, input: NewRun): Promise<{ runId: string; created: boolean }> {
  return db.transaction(async (tx) => {
    const { targets, ...run } = input;
    const inserted = await tx
      .insert(runs)
      .values(run)
      .onConflictDoNothing({ target: [runs.deliveryId, runs.commandIndex] })
      .returning({ id: runs.id });
    const first = inserted[0];
    if (!first) {
      const [existing] = await tx
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.deliveryId, input.deliveryId), eq(runs.commandIndex, input.commandIndex)));
      if (!existing) throw new Error(`run for delivery ${input.deliveryId} vanished while being created`);
      return { runId: existing.id, created: false };
    }
    const runId = first.id;
    // Three statements whatever the number of targets: the rows travel as one JSON value each
    // (never near PostgreSQL's 65,535 bound parameters, and no per-row query building), and
    // steps and queued checks are made from the inserted actions inside the database.
    const targetRows = targets.map((t, position) => ({
      position,
      repository: t.repository,
      repository_id: t.repositoryId,
      clone_url: t.cloneUrl,
      ref: t.ref,
      project: t.project,
    }));
    await tx.execute(sql`
      insert into ${actions} (run_id, position, repository, repository_id, clone_url, ref, project)
      select ${runId}::uuid, t.position, t.repository, t.repository_id, t.clone_url, t.ref, t.project
      from jsonb_to_recordset(${JSON.stringify(targetRows)}::jsonb)
        as t(position integer, repository text, repository_id bigint, clone_url text, ref text, project text)`);
    const stepRows = input.definition.steps.map((step, index) => ({ index, name: step.name }));
    await tx.execute(sql`
      insert into ${actionSteps} (action_id, index, name)
      select a.id, s.index, s.name
      from ${actions} a cross join jsonb_to_recordset(${JSON.stringify(stepRows)}::jsonb) as s(index integer, name text)
      where a.run_id = ${runId}::uuid`);
    // The run's summary check (no action), created first, then one check per action.
    await tx.insert(checkOutbox).values({ runId, actionId: null, phase: "queued" });
    // Checks are queued in the order of the targets.
    await tx.execute(sql`
      insert into ${checkOutbox} (run_id, action_id, phase)
      select run_id, id, 'queued'::check_phase from ${actions} where run_id = ${runId}::uuid order by position`);
    return { runId, created: true };
  });
}
