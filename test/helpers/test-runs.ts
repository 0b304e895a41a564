import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { parseDefinition } from "../../src/automations/parse-definition.js";
import type { Db } from "../../src/db/client.js";
import type { ClaimedAction } from "../../src/queue/claim-action.js";
import { createRun, type NewTarget } from "../../src/runs/create-run.js";
import { actions, runs } from "../../src/runs/runs.sql.js";
import type { GitServer } from "./git-server.js";

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

/**
 * A run of the definition in `source` on a fresh repository of `git` (named `acme/<prefix>-…`,
 * holding `files`), its one action taken as a worker would, so the claim guards on every write hold.
 */
export async function claimedTestAction(
  db: Db,
  git: GitServer,
  options: { source: string; automation: string; repositoryPrefix: string; files?: Record<string, string> },
): Promise<ClaimedAction> {
  const repository = `acme/${options.repositoryPrefix}-${randomUUID().slice(0, 8)}`;
  const { cloneUrl, headSha } = await git.createRepo(repository, options.files ?? { "README.md": "hello\n" });
  const runId = await recordTestRun(db, {
    source: options.source,
    automation: options.automation,
    repository,
    headSha,
    deliveryId: randomUUID(),
    targets: [{ repository, repositoryId: 1, cloneUrl, ref: headSha, project: null }],
  });
  const [action] = await db
    .update(actions)
    .set({ status: "running", claimedBy: "test-worker", attempts: 1, startedAt: new Date(), leaseExpiresAt: new Date(Date.now() + 60_000) })
    .where(eq(actions.runId, runId))
    .returning();
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  return { ...action!, run: run! };
}
