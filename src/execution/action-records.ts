import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { storableText } from "../db/storable-text.js";
import { retryWhileUnreachable } from "../db/retry-while-unreachable.js";
import type { ActionClaim } from "../runs/transitions.js";
import { actions, runs } from "../runs/runs.sql.js";

// What execution stores on an action besides its status: only while this worker still holds it,
// so a worker that lost its claim writes nothing. Each waits out a database restart.

function held(claim: ActionClaim) {
  return and(
    eq(actions.id, claim.actionId),
    eq(actions.status, "running"),
    eq(actions.claimedBy, claim.workerId),
    eq(actions.attempts, claim.attempt),
  );
}

/** The agent session so far (JSON lines, already masked). */
export async function storeSession(db: Db, claim: ActionClaim, session: string): Promise<void> {
  await retryWhileUnreachable(() => db.update(actions).set({ session: storableText(session) }).where(held(claim)));
}

/** The line failures are grouped by: the failing step's last output line, already masked. */
export async function storeErrorLine(db: Db, claim: ActionClaim, errorLine: string): Promise<void> {
  await retryWhileUnreachable(() => db.update(actions).set({ errorLine }).where(held(claim)));
}

/** Records which secret values the run used, the first time one of its actions starts. */
export async function recordSecretFingerprints(db: Db, runId: string, fingerprints: Record<string, string>): Promise<void> {
  if (Object.keys(fingerprints).length === 0) return;
  await db
    .update(runs)
    .set({ secretFingerprints: fingerprints })
    .where(and(eq(runs.id, runId), sql`${runs.secretFingerprints} = '{}'::jsonb`));
}
