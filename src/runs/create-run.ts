import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import type { AutomationDefinition } from "../automations/definition-schema.js";
import { actions, actionSteps, runs } from "./runs.sql.js";
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
    const actionIds = await tx
      .insert(actions)
      .values(targets.map((t, position) => ({ ...t, runId, position })))
      .returning({ id: actions.id });
    const steps = actionIds.flatMap(({ id }) =>
      input.definition.steps.map((step, index) => ({ actionId: id, index, name: step.name })),
    );
    if (steps.length > 0) await tx.insert(actionSteps).values(steps);
    await tx.insert(checkOutbox).values(actionIds.map(({ id }) => ({ runId, actionId: id, phase: "queued" as const })));
    return { runId, created: true };
  });
}
