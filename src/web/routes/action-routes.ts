import type { Context, Hono } from "hono";
import { cancelAction } from "../../runs/cancel.js";
import { canRead, canWrite } from "../access.js";
import type { PagesEnv } from "../auth.js";
import { paths } from "../format.js";
import { loadAction, loadLogChunks } from "../load-run.js";
import { liveStream, sendAppend, sendEnd, sendReplace } from "../live-stream.js";
import { actionLive, actionPage, isLive, logChunksHtml } from "../pages/action-page.js";
import type { WebDeps } from "../web-app.js";
import { backTo, notFound, writeAccessNeeded } from "./responses.js";

/** Chunks the action page shows at once; the whole log is one link away. */
const PAGE_LOG_CHUNKS = 2_000;
/** Chunks one live update sends at most; the rest follow at the next. */
const LIVE_LOG_CHUNKS = 500;

/** An action's page, its live log, its whole log as text, and its Cancel button. */
export function actionRoutes(app: Hono<PagesEnv>, deps: WebDeps & { pollMs: number }): void {
  const { db, wakeups } = deps;

  // An action is shown to those who can read both the run's repository and the action's target.
  const readAction = async (c: Context<PagesEnv>) => {
    const detail = await loadAction(db, c.req.param("id") ?? "");
    const access = c.get("access");
    return detail && canRead(access, detail.run.repository) && canRead(access, detail.action.repository) ? detail : null;
  };

  app.get("/actions/:id", async (c) => {
    const detail = await readAction(c);
    if (!detail) return notFound(c, "This action");
    const chunks = await loadLogChunks(db, detail.action.id, 0, PAGE_LOG_CHUNKS + 1);
    return c.html(
      actionPage({
        viewer: c.get("viewer"),
        detail,
        chunks: chunks.slice(0, PAGE_LOG_CHUNKS),
        truncated: chunks.length > PAGE_LOG_CHUNKS,
        canWrite: canWrite(c.get("access"), detail.run.repository),
      }),
    );
  });

  app.get("/actions/:id/live", async (c) => {
    const first = await readAction(c);
    if (!first) return c.text("no such action", 404);
    // Resume where the page (or, after a reconnect, the last event) left off.
    let after = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? 0) || 0;
    const stepParam = c.req.query("step");
    let step: number | undefined = stepParam !== undefined && stepParam !== "" ? Number(stepParam) : undefined;
    let empty = after === 0;
    let last = "";
    const writable = canWrite(c.get("access"), first.run.repository);
    return liveStream(c, wakeups, Math.min(deps.pollMs, 500), async (stream) => {
      // The state before the log: lines written before it finished are all sent before the end.
      const detail = await loadAction(db, first.action.id);
      if (!detail) return false;
      const chunks = await loadLogChunks(db, detail.action.id, after, LIVE_LOG_CHUNKS);
      const tail = chunks[chunks.length - 1];
      if (tail) {
        const fragment = String(logChunksHtml(chunks, detail.steps, step));
        if (empty) await sendReplace(stream, "log", fragment);
        else await sendAppend(stream, "log", fragment, String(tail.id));
        empty = false;
        after = tail.id;
        step = tail.stepIndex;
      }
      const fragment = String(actionLive({ viewer: c.get("viewer"), detail, chunks: [], truncated: false, canWrite: writable }));
      if (fragment !== last) await sendReplace(stream, "action-live", fragment);
      last = fragment;
      if (!isLive(detail) && chunks.length < LIVE_LOG_CHUNKS) {
        // Reloaded once, the page shows what only a finished action has (its session).
        await sendEnd(stream, true);
        return false;
      }
      return true;
    });
  });

  app.get("/actions/:id/log.txt", async (c) => {
    const detail = await readAction(c);
    if (!detail) return c.text("no such action", 404);
    const parts: string[] = [];
    for (let after = 0; ; ) {
      const chunks = await loadLogChunks(db, detail.action.id, after, 1_000);
      for (const chunk of chunks) parts.push(chunk.content);
      const tail = chunks[chunks.length - 1];
      if (!tail || chunks.length < 1_000) break;
      after = tail.id;
    }
    return c.text(parts.join(""), 200, { "Content-Type": "text/plain; charset=utf-8" });
  });

  app.post("/actions/:id/cancel", async (c) => {
    const detail = await readAction(c);
    if (!detail) return notFound(c, "This action");
    if (!canWrite(c.get("access"), detail.run.repository)) return writeAccessNeeded(c, detail.run.repository);
    const outcome = await cancelAction({ db, wakeups }, detail.action.id, c.get("session").login);
    deps.log.info({ actionId: detail.action.id, runId: detail.run.id, by: c.get("session").login, ...outcome }, "action cancelled from the pages");
    return c.redirect(backTo(c, paths.action(detail.action.id)), 303);
  });
}
