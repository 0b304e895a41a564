import type { Context, Hono } from "hono";
import { cancelRun } from "../../runs/cancel.js";
import { canRead, canWrite, readableRepositories } from "../access.js";
import type { PagesEnv } from "../auth.js";
import { paths } from "../format.js";
import { html } from "../html.js";
import { messagePage } from "../layout.js";
import { isUuid, loadRun, type RunDetail } from "../load-run.js";
import { loadRuns } from "../load-runs.js";
import { liveStream, sendEnd, sendReplace } from "../live-stream.js";
import { runLive, runPage } from "../pages/run-page.js";
import { runsPage } from "../pages/runs-page.js";
import { retryFailedFromPage } from "../retry-failed.js";
import { parseRunFilters } from "../run-filters.js";
import type { WebDeps } from "../web-app.js";
import { noAppCredentials, notFound, writeAccessNeeded } from "./responses.js";

/** The Runs page, a run's page with its live updates, and its buttons. */
export function runRoutes(app: Hono<PagesEnv>, deps: WebDeps & { pollMs: number }): void {
  const { db, wakeups, config } = deps;

  app.get("/", async (c) => {
    const filters = parseRunFilters(c.req.query());
    const { items, hasMore } = await loadRuns(db, filters, readableRepositories(c.get("access")));
    return c.html(runsPage({ viewer: c.get("viewer"), filters, items, hasMore, githubUrl: config.githubUrl }));
  });

  const readRun = async (c: Context<PagesEnv>) => {
    const detail = await loadRun(db, c.req.param("id") ?? "");
    return detail && canRead(c.get("access"), detail.run.repository) ? detail : null;
  };
  const runOptions = (c: Context<PagesEnv>, detail: RunDetail) => ({
    viewer: c.get("viewer"),
    detail,
    access: c.get("access"),
    githubUrl: config.githubUrl,
    retryAvailable: deps.octokitFor !== undefined,
  });

  app.get("/runs/:id", async (c) => {
    const detail = await readRun(c);
    if (!detail) return notFound(c, "This run");
    return c.html(runPage(runOptions(c, detail)));
  });

  app.get("/runs/:id/live", async (c) => {
    if (!(await readRun(c))) return c.text("no such run", 404);
    let last = "";
    return liveStream(c, wakeups, deps.pollMs, async (stream) => {
      const detail = await readRun(c);
      if (!detail) return false;
      const fragment = String(runLive(runOptions(c, detail)));
      if (fragment !== last) await sendReplace(stream, "run-live", fragment);
      last = fragment;
      const finished = detail.run.status !== "pending" && detail.run.status !== "running";
      if (finished) await sendEnd(stream, false);
      return !finished;
    });
  });

  app.post("/runs/:id/cancel", async (c) => {
    const detail = await readRun(c);
    if (!detail) return notFound(c, "This run");
    if (!canWrite(c.get("access"), detail.run.repository)) return writeAccessNeeded(c, detail.run.repository);
    const outcome = await cancelRun({ db, wakeups }, detail.run.id, c.get("session").login);
    deps.log.info({ runId: detail.run.id, by: c.get("session").login, ...outcome }, "run cancelled from the pages");
    return c.redirect(paths.run(detail.run.id), 303);
  });

  app.post("/runs/:id/retry-failed", async (c) => {
    const detail = await readRun(c);
    if (!detail) return notFound(c, "This run");
    if (!canWrite(c.get("access"), detail.run.repository)) return writeAccessNeeded(c, detail.run.repository);
    if (!deps.octokitFor) return noAppCredentials(c, "Retry is not available");
    const form = await c.req.parseBody();
    const requestId = typeof form.request === "string" && isUuid(form.request) ? form.request : crypto.randomUUID();
    const outcome = await retryFailedFromPage({ db, wakeups, octokitFor: deps.octokitFor, log: deps.log }, detail.run, c.get("session").login, requestId);
    if (outcome.kind === "ignored") {
      return c.html(messagePage("Nothing was retried", c.get("viewer"), html`${outcome.reason}. ${outcome.advice} <a href="${paths.run(detail.run.id)}">Back to the run</a>.`), 409);
    }
    return c.redirect(paths.run(outcome.runId), 303);
  });
}
