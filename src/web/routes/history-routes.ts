import { posix } from "node:path";
import type { Context, Hono } from "hono";
import { canRead, canWrite, readableRepositories, type AccessMap } from "../access.js";
import type { PagesEnv } from "../auth.js";
import { comparedRun, compareRuns, targetName } from "../compare-runs.js";
import { sideBySideDiff } from "../definition-diff.js";
import { paths } from "../format.js";
import { html } from "../html.js";
import { messagePage } from "../layout.js";
import { loadHistory } from "../load-history.js";
import { isUuid, loadActionsOfRuns, loadRun, type ActionRow } from "../load-run.js";
import type { RunListItem } from "../load-runs.js";
import { comparePage } from "../pages/compare-page.js";
import { historyPage } from "../pages/history-page.js";
import { startRunPage } from "../pages/start-run-page.js";
import { planRunFromPage, startRunFromPage } from "../run-from-page.js";
import type { WebDeps } from "../web-app.js";
import { noAppCredentials, notFound } from "./responses.js";

/** An automation's history, the comparison of two of its runs, and running it. */
export function historyRoutes(app: Hono<PagesEnv>, deps: WebDeps): void {
  const { db, wakeups } = deps;

  app.get("/history/:owner/:repo/:name", async (c) => {
    const { owner, repo, name } = c.req.param();
    const items = await loadHistory(db, `${owner}/${repo}`, name, readableRepositories(c.get("access")));
    if (items.length === 0 && !canRead(c.get("access"), `${owner}/${repo}`)) return notFound(c, "This automation");
    const runFrom = runCandidates(items, c.get("access"));
    const runSection = !deps.octokitFor
      ? ""
      : runFrom.length > 0
        ? html`<p><a class="button primary" id="run-automation" href="${paths.history(`${owner}/${repo}`, name)}/run">Run ${name}…</a></p>`
        : html`<p class="muted">Starting ${name} here needs write access to a repository it ran in.</p>`;
    return c.html(historyPage({ viewer: c.get("viewer"), definitionRepository: `${owner}/${repo}`, automation: name, items, runSection }));
  });

  app.get("/history/:owner/:repo/:name/compare", async (c) => {
    const { owner, repo, name } = c.req.param();
    const [a, b] = await Promise.all([loadRun(db, c.req.query("a") ?? ""), loadRun(db, c.req.query("b") ?? "")]);
    const access = c.get("access");
    const belongs = (d: typeof a) =>
      d !== null && canRead(access, d.run.repository) && d.run.definitionRepository === `${owner}/${repo}` && d.run.automation === name;
    if (!a || !b || !belongs(a) || !belongs(b)) {
      return c.html(messagePage("Pick two runs", c.get("viewer"), html`Choose two runs of ${name} to compare on <a href="${paths.history(`${owner}/${repo}`, name)}">its history</a>.`), 400);
    }
    const [before, after] = a.run.createdAt <= b.run.createdAt ? [a, b] : [b, a];
    const visible = (await loadActionsOfRuns(db, [before.run.id, after.run.id])).filter((x) => canRead(access, x.repository));
    const actionIds = new Map<string, { before?: ActionRow; after?: ActionRow }>();
    for (const x of visible) {
      const key = targetName(x.repository, x.project);
      const entry = actionIds.get(key) ?? {};
      if (x.runId === before.run.id) entry.before = x;
      else entry.after = x;
      actionIds.set(key, entry);
    }
    return c.html(
      comparePage({
        viewer: c.get("viewer"),
        before: before.run,
        after: after.run,
        comparison: compareRuns(comparedRun(before.run, visible), comparedRun(after.run, visible)),
        diff: sideBySideDiff(before.run.definitionSource, after.run.definitionSource),
        actionIds,
      }),
    );
  });

  // Run an automation: choose targets, confirm, start.
  const runTarget = async (c: Context<PagesEnv>, requested: string | undefined) => {
    const { owner, repo, name } = c.req.param() as { owner: string; repo: string; name: string };
    const items = await loadHistory(db, `${owner}/${repo}`, name, readableRepositories(c.get("access")));
    const candidates = runCandidates(items, c.get("access"));
    const chosen = candidates.find((x) => x.repository.toLowerCase() === requested?.toLowerCase()) ?? candidates[0];
    return { owner, repo, name, candidates, chosen };
  };
  const cannotRun = (c: Context<PagesEnv>, name: string) =>
    c.html(messagePage(`Run ${name}`, c.get("viewer"), `Starting ${name} needs write access to a repository it ran in.`), 403);

  app.get("/history/:owner/:repo/:name/run", async (c) => {
    const { owner, repo, name, candidates, chosen } = await runTarget(c, c.req.query("in"));
    if (!deps.octokitFor) return noAppCredentials(c, `Run ${name}`);
    if (!chosen) return cannotRun(c, name);
    const plan = await planRunFromPage({ octokitFor: deps.octokitFor }, { ...chosen, login: c.get("session").login });
    return c.html(
      startRunPage({
        viewer: c.get("viewer"),
        automation: name,
        action: `${paths.history(`${owner}/${repo}`, name)}/run`,
        historyUrl: paths.history(`${owner}/${repo}`, name),
        repository: chosen.repository,
        repositories: candidates.map((x) => x.repository),
        plan,
        chosen: c.req.query("confirm") ? (c.req.queries("target") ?? []) : null,
      }),
    );
  });

  app.post("/history/:owner/:repo/:name/run", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const requested = typeof form.in === "string" ? form.in : undefined;
    const { name, chosen } = await runTarget(c, requested);
    if (!deps.octokitFor) return noAppCredentials(c, `Run ${name}`);
    if (!chosen || requested?.toLowerCase() !== chosen.repository.toLowerCase()) return cannotRun(c, name);
    const targets = ([] as unknown[]).concat(form.target ?? []).filter((t): t is string => typeof t === "string");
    const requestId = typeof form.request === "string" && isUuid(form.request) ? form.request : crypto.randomUUID();
    const started = await startRunFromPage(
      { octokitFor: deps.octokitFor, db, wakeups, log: deps.log },
      { ...chosen, login: c.get("session").login, chosen: targets, requestId },
    );
    if (started.kind === "refused") return c.html(messagePage(`Run ${name}`, c.get("viewer"), started.message), 409);
    return c.redirect(paths.run(started.runId), 303);
  });
}

/** The repositories a person may start an automation in: those it ran in that they can write to, latest first. */
function runCandidates(items: RunListItem[], access: AccessMap): Array<{ repository: string; installationId: number; fileName: string }> {
  const seen = new Map<string, { repository: string; installationId: number; fileName: string }>();
  for (const { run } of items) {
    const key = run.repository.toLowerCase();
    if (seen.has(key) || !canWrite(access, run.repository)) continue;
    seen.set(key, { repository: run.repository, installationId: run.installationId, fileName: posix.basename(run.definitionPath, ".yml") });
  }
  return [...seen.values()];
}
