import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { actions } from "../runs/runs.sql.js";

/**
 * What an action leaves in the workspace root, named by its id: the checkout, and beside it the
 * agent files (`.agent`), the checkout's index (`.base-index`) and publishing's git directory
 * (`.publish-…`).
 */
const ACTION_ENTRY = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.agent|\.base-index|\.publish-[A-Za-z0-9]+)?$/;

/**
 * Removes what actions left in the workspace root when their process died before cleaning up
 * (a finished action always has). Only actions running now, in this process or another sharing
 * the root, keep theirs: an action is running from its claim until after its cleanup. Anything
 * not named for an action is left alone. Returns the entries removed.
 *
 * An action handed back after its worker died is pending, and may be claimed again while its
 * old entries go; its new worker then sets up entries of the same names. So each action's
 * entries are removed while its row is locked: a claim waits for the removal, and a claim made
 * first is seen (the action is running, and its entries stay).
 */
export async function sweepWorkspaces(db: Db, workspaceRoot: string): Promise<string[]> {
  const names = await readdir(workspaceRoot).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [] as string[];
    throw err;
  });
  const entriesOf = new Map<string, string[]>();
  for (const name of names) {
    const id = ACTION_ENTRY.exec(name)?.[1];
    if (!id) continue;
    const entries = entriesOf.get(id) ?? [];
    if (entries.length === 0) entriesOf.set(id, entries);
    entries.push(name);
  }
  const removed: string[] = [];
  for (const [id, entries] of entriesOf) {
    const swept = await db.transaction(async (tx) => {
      const [row] = await tx.select({ status: actions.status }).from(actions).where(eq(actions.id, id)).for("update");
      if (row?.status === "running") return false;
      await Promise.all(entries.map((name) => rm(join(workspaceRoot, name), { recursive: true, force: true })));
      return true;
    });
    if (swept) removed.push(...entries);
  }
  return removed;
}

/** The sweep as a worker runs it before its first claim, so no action of its own is being set up meanwhile. */
export async function clearLeftWorkspaces(db: Db, workspaceRoot: string, log: Pick<Logger, "info">): Promise<void> {
  const removed = await sweepWorkspaces(db, workspaceRoot);
  if (removed.length > 0) log.info({ removed: removed.length, workspaceRoot }, "removed workspaces left by actions whose process died");
}
