import { sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { logChunks } from "../execution/logs.sql.js";
import { actions } from "../runs/runs.sql.js";
import { checkOutbox } from "./outbox.sql.js";

/**
 * Notes a progress update for each running action whose log has grown since its check was last
 * sent, so a long step's check shows the end of its log as it goes, not only at step changes.
 * The reporter spaces these like any progress (at most one per interval).
 */
export async function enqueueLogProgress(db: Db): Promise<void> {
  const lastSent = sql`(select max(${checkOutbox.sentAt}) from ${checkOutbox} where ${checkOutbox.actionId} = ${actions.id})`;
  const newestChunk = sql`(select ${logChunks.createdAt} from ${logChunks} where ${logChunks.actionId} = ${actions.id} order by ${logChunks.id} desc limit 1)`;
  const waiting = sql`exists (select 1 from ${checkOutbox} where ${checkOutbox.actionId} = ${actions.id} and ${checkOutbox.sentAt} is null and ${checkOutbox.gaveUpAt} is null)`;
  await db.execute(sql`
    insert into ${checkOutbox} (run_id, action_id, phase)
    select ${actions.runId}, ${actions.id}, 'in_progress' from ${actions}
    where ${actions.status} = 'running' and ${actions.checkRunId} is not null
      and not ${waiting}
      and ${newestChunk} > ${lastSent}`);
}
