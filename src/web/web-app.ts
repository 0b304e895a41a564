import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { OctokitForInstallation } from "../github-app/installation-octokit.js";
import type { Wakeups } from "../queue/wakeups.js";
import { liveScript, stylesheet } from "./assets.js";
import { pageAuth, type PagesEnv } from "./auth.js";
import { base } from "./format.js";
import { cachedRepositories, type GitHubUsers } from "./github-user.js";
import { html } from "./html.js";
import { messagePage } from "./layout.js";
import type { PagesConfig } from "./pages-config.js";
import { actionRoutes } from "./routes/action-routes.js";
import { historyRoutes } from "./routes/history-routes.js";
import { runRoutes } from "./routes/run-routes.js";

export interface WebDeps {
  db: Db;
  wakeups: Wakeups;
  config: PagesConfig;
  users: GitHubUsers;
  log: Logger;
  /** The app's installation clients, for starting runs (run, retry failed); absent: not offered. */
  octokitFor?: OctokitForInstallation;
  /** How often live pages look for changes not announced by a wake-up (log lines, other replicas). */
  pollMs?: number;
}

/**
 * The app's own pages under /automations (Hono: routing, escaped HTML templates, cookies, SSE).
 * Everything but the assets and signing in needs a session; every POST, the same origin and the
 * session's CSRF token.
 */
export function webApp(deps: WebDeps): Hono<PagesEnv> {
  const auth = pageAuth({ config: deps.config, users: deps.users, repositories: cachedRepositories(deps.users), log: deps.log });
  const app = new Hono<PagesEnv>({ strict: false }).basePath(base);

  app.use("*", async (c, next) => {
    await next();
    c.header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status === 403) {
      // The origin check: a form posted from another site, or by a browser that hides its origin.
      return c.html(messagePage("Not sent from these pages", null, "Nothing was done: the form did not come from this site. Use the buttons on the pages."), 403);
    }
    deps.log.error({ err, path: c.req.path }, "a page failed");
    return c.html(messagePage("Something went wrong", null, "The page could not be shown; the error is in the app's log. Reload to try again."), 500);
  });

  // Public: the assets, signing in and out.
  app.get("/assets/style.css", (c) => c.body(stylesheet, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "max-age=300" }));
  app.get("/assets/live.js", (c) => c.body(liveScript, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "max-age=300" }));
  app.get("/sign-in", auth.signIn);
  app.get("/auth/callback", auth.callback);
  app.get("/signed-out", (c) => c.html(messagePage("Signed out", null, html`<a href="${base}/sign-in">Sign in again</a>`)));

  // Everything else: signed in; a POST from these pages only.
  app.use("*", auth.originCheck, auth.requireSession, auth.requireCsrfToken);
  app.post("/sign-out", auth.signOut);
  const routeDeps = { ...deps, pollMs: deps.pollMs ?? 1_000 };
  runRoutes(app, routeDeps);
  actionRoutes(app, routeDeps);
  historyRoutes(app, routeDeps);

  app.notFound((c) => c.html(messagePage("Not found", null, html`There is no page here. <a href="${base}">All runs</a>.`), 404));
  return app;
}
