import { sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { logChunks } from "../execution/logs.sql.js";
import { actions } from "../runs/runs.sql.js";
import { checkOutbox } from "./outbox.sql.js";
import { unsent } from "./check-rows.js";
import { millisecondsInterval } from "../db/interval-sql.js";

/**
 * Notes a progress update for each running action whose log has grown since its check was last
 * sent, so a long step's check shows the end of its log as it goes, not only at step changes.
 * Progress is spaced like any (at most one per interval, ./coalescing.ts): a row follows an
 * update in progress no sooner than `intervalMs` after it, so no reporter takes it up only to
 * put it off.
 */
export async function enqueueLogProgress(db: Db, intervalMs: number): Promise<void> {
  const newestChunk = sql`(select ${logChunks.createdAt} from ${logChunks} where ${logChunks.actionId} = ${actions.id} order by ${logChunks.id} desc limit 1)`;
  const waiting = sql`exists (select 1 from ${checkOutbox} where ${checkOutbox.actionId} = ${actions.id} and ${unsent})`;
  const lastSent = sql`(select ${checkOutbox.phase} as phase, ${checkOutbox.sentAt} as at from ${checkOutbox}
    where ${checkOutbox.actionId} = ${actions.id} and ${checkOutbox.sentAt} is not null order by ${checkOutbox.id} desc limit 1)`;
  const interval = millisecondsInterval(intervalMs);
  await db.execute(sql`
    insert into ${checkOutbox} (run_id, action_id, phase, not_before)
    select ${actions.runId}, ${actions.id}, 'in_progress',
      case when last_sent.phase = 'in_progress' then greatest(now(), last_sent.at + ${interval}) else now() end
    from ${actions} join lateral ${lastSent} last_sent on true
    where ${actions.status} = 'running' and ${actions.checkRunId} is not null
      and not ${waiting}
      and ${newestChunk} > last_sent.at`);
}
