import { parseDefinition } from "../../src/automations/parse-definition.js";
import type { Db } from "../../src/db/client.js";
import { createRun, type NewTarget } from "../../src/runs/create-run.js";

/**
 * Records a run of the definition in `source` (validated as the app validates it) over
 * `targets`, as a `/automation run` comment would; returns its id.
 */
export async function recordTestRun(
  db: Db,
  options: {
    source: string;
    automation: string;
    repository: string;
    headSha: string;
    deliveryId: string;
    targets: NewTarget[];
    installationId?: number;
  },
): Promise<string> {
  const path = `.github/automations/${options.automation}.yml`;
  const parsed = parseDefinition(options.source, path);
  if (!parsed.ok) throw new Error(`test definition invalid: ${JSON.stringify(parsed.errors)}`);
  const { runId } = await createRun(db, {
    automation: options.automation,
    installationId: options.installationId ?? 1,
    repository: options.repository,
    repositoryId: 1,
    headSha: options.headSha,
    trigger: { kind: "comment", commentId: 1, issueNumber: 1, isPullRequest: true, sender: "someone" },
    deliveryId: options.deliveryId,
    commandIndex: 0,
    definition: parsed.definition,
    definitionSource: options.source,
    definitionPath: path,
    definitionSha: "b".repeat(40),
    definitionRepository: options.repository,
    targets: options.targets,
  });
  return runId;
}
