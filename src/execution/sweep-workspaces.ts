import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { and, eq, inArray } from "drizzle-orm";
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
 */
export async function sweepWorkspaces(db: Db, workspaceRoot: string): Promise<string[]> {
  const names = await readdir(workspaceRoot).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [] as string[];
    throw err;
  });
  const owners = new Map<string, string>();
  for (const name of names) {
    const id = ACTION_ENTRY.exec(name)?.[1];
    if (id) owners.set(name, id);
  }
  if (owners.size === 0) return [];
  const ids = [...new Set(owners.values())];
  const running = await db
    .select({ id: actions.id })
    .from(actions)
    .where(and(inArray(actions.id, ids), eq(actions.status, "running")));
  const keep = new Set(running.map((r) => r.id));
  const removed: string[] = [];
  for (const [name, id] of owners) {
    if (keep.has(id)) continue;
    await rm(join(workspaceRoot, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** The sweep as a worker runs it before its first claim, so no action of its own is being set up meanwhile. */
export async function clearLeftWorkspaces(db: Db, workspaceRoot: string, log: Pick<Logger, "info">): Promise<void> {
  const removed = await sweepWorkspaces(db, workspaceRoot);
  if (removed.length > 0) log.info({ removed: removed.length, workspaceRoot }, "removed workspaces left by actions whose process died");
}
