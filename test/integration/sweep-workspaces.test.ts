import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepWorkspaces } from "../../src/execution/sweep-workspaces.js";
import { actions } from "../../src/runs/runs.sql.js";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { recordTestRun } from "../helpers/test-runs.js";

let database: TestDatabase;
let root: string;

beforeAll(async () => {
  database = await createPostgresDatabase();
  root = await mkdtemp(join(tmpdir(), "automations-sweep-"));
});
afterAll(async () => {
  await database?.destroy();
  if (root) await rm(root, { recursive: true, force: true });
});

const source = ["description: Sweeps", "container:", "  image: busybox", "steps:", "  - name: Greet", "    run: echo hi", ""].join("\n");

/** An action's checkout with everything it puts beside it, as a process killed mid-action leaves them. */
async function leftBehind(id: string): Promise<string[]> {
  await mkdir(join(root, id, ".git"), { recursive: true });
  await writeFile(join(root, id, "README.md"), "changed\n");
  await mkdir(join(root, `${id}.agent`, "step-1"), { recursive: true });
  await writeFile(join(root, `${id}.base-index`), "index");
  await mkdir(join(root, `${id}.publish-Ab12Cd`));
  return [id, `${id}.agent`, `${id}.base-index`, `${id}.publish-Ab12Cd`];
}

/** The actions, all pending, of a new run over `repositories`, in order. */
async function actionsOfNewRun(repositories: string[]) {
  const runId = await recordTestRun(database.db, {
    source,
    automation: "sweeps",
    repository: "acme/api",
    headSha: "a".repeat(40),
    deliveryId: randomUUID(),
    targets: repositories.map((repository, i) => ({ repository, repositoryId: i + 1, cloneUrl: `https://github.com/${repository}.git`, ref: "a".repeat(40), project: null })),
  });
  return database.db.select().from(actions).where(eq(actions.runId, runId)).orderBy(actions.position);
}

describe("the workspace root after a process died mid-action (PostgreSQL)", () => {
  it("keeps what actions running now use, and removes the rest of what actions left", async () => {
    const [running, finished, requeued] = await actionsOfNewRun(["acme/api", "acme/web", "acme/docs"]);
    await database.db.update(actions).set({ status: "running" }).where(eq(actions.id, running!.id));
    await database.db.update(actions).set({ status: "done" }).where(eq(actions.id, finished!.id));
    // requeued stays pending: handed back after its worker died, to be checked out afresh.
    const kept = await leftBehind(running!.id);
    const gone = [...(await leftBehind(finished!.id)), ...(await leftBehind(requeued!.id)), ...(await leftBehind(randomUUID()))];
    // Not named for an action: not the sweep's to judge.
    await writeFile(join(root, "notes.txt"), "mine");
    await mkdir(join(root, `${running!.id}-copy`));

    const removed = await sweepWorkspaces(database.db, root);

    expect(removed.sort()).toEqual(gone.sort());
    expect((await readdir(root)).sort()).toEqual([...kept, "notes.txt", `${running!.id}-copy`].sort());
  });

  it("leaves the entries of an action being claimed again meanwhile to its new worker", async () => {
    const [handedBack] = await actionsOfNewRun(["acme/api"]);
    const entries = await leftBehind(handedBack!.id);
    // A worker claims the pending action; the sweep starts before the claim commits.
    let commitClaim!: () => void;
    const claimed = new Promise<void>((resolve) => (commitClaim = resolve));
    let held!: () => void;
    const claimHeld = new Promise<void>((resolve) => (held = resolve));
    const claim = database.db.transaction(async (tx) => {
      await tx.update(actions).set({ status: "running" }).where(eq(actions.id, handedBack!.id));
      held();
      await claimed;
    });
    await claimHeld;
    const sweeping = sweepWorkspaces(database.db, root);
    await new Promise((r) => setTimeout(r, 200));
    commitClaim();
    await claim;

    expect(await sweeping).toEqual([]);
    expect((await readdir(root)).filter((name) => name.startsWith(handedBack!.id)).sort()).toEqual(entries.sort());
  });

  it("finds nothing to do in a workspace root that does not exist yet", async () => {
    expect(await sweepWorkspaces(database.db, join(root, "never-made"))).toEqual([]);
  });
});
