import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Probot } from "probot";
import type { Db } from "../db/client.js";
import { octokitForInstallation } from "../github-app/installation-octokit.js";
import type { Wakeups } from "../queue/wakeups.js";
import { base } from "./format.js";
import { gitHubUsers } from "./github-user.js";
import type { PagesConfig } from "./pages-config.js";
import { webApp } from "./web-app.js";

export interface PagesOptions {
  db: Db;
  wakeups: Wakeups;
  config: PagesConfig;
  /** How often live pages look for changes that no wake-up announces. */
  pollMs?: number;
}

/**
 * The pages as a handler for Probot's server (`addHandler`): it answers every request under
 * /automations and leaves the others to the next handler.
 */
export function pagesHandler(app: Probot, options: PagesOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const web = webApp({
    ...options,
    users: gitHubUsers(options.config),
    octokitFor: octokitForInstallation(app),
    log: app.log.child({ name: "pages" }),
  });
  // Octokit and the rest of the process keep the platform's own Request and Response.
  const listener = getRequestListener(web.fetch, { overrideGlobalObjects: false });
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path !== base && !path.startsWith(`${base}/`)) return false;
    await listener(req, res);
    return true;
  };
}
