import type { ApplicationFunction, Probot } from "probot";
import type { IngressDeps } from "./ingress/on-issue-comment.js";
import { webhookHandlers } from "./ingress/webhook-handlers.js";
import { storeOnReceipt } from "./ingress/store-on-receipt.js";
import { contextHandler } from "./ingress/context-handler.js";
import type { DeliveryHandler } from "./ingress/delivery-processor.js";
import { databaseDeliveryWriter, type IngressLoad } from "./ingress/delivery-writer.js";
import { pagesHandler } from "./web/pages-handler.js";
import type { PagesConfig } from "./web/pages-config.js";

export interface AppHooks extends IngressDeps {
  /**
   * Called once the app is loaded with credentials, to start the workers, the reporter and the
   * processing of stored webhooks with `deliveryHandlers` (by `event.action`), which gives way to
   * the endpoint (`ingress`) during a burst.
   */
  onLoad?(app: Probot, deliveryHandlers: ReadonlyMap<string, DeliveryHandler>, ingress: IngressLoad): void;
  /** The app's own pages under /automations; absent: not served. */
  pages?: { config: PagesConfig; pollMs?: number };
}

/**
 * The Probot app: wires webhook handlers to their stages, nothing else. The endpoint only stores
 * each delivery of the events the app acts on; the handlers run on the stored deliveries.
 */
export function automationsApp(deps: AppHooks): ApplicationFunction {
  return async (app, options) => {
    const handlers = webhookHandlers(deps);
    const writer = databaseDeliveryWriter(deps.db);
    storeOnReceipt(app.webhooks, { events: new Set(handlers.keys()), writer, wakeups: deps.wakeups, log: app.log });
    const deliveryHandlers = new Map([...handlers].map(([event, handler]) => [event, contextHandler(app, handler)] as const));
    if (deps.pages) options.addHandler(pagesHandler(app, { db: deps.db, wakeups: deps.wakeups, ...deps.pages }));
    // Probot's setup page registers the app with its webhooks at the root of the address it was
    // opened at, not at /api/github/webhooks: they are taken there too, the same way.
    const atRoot = await app.getNodeMiddleware({ path: "/" });
    options.addHandler((req, res) => (req.method === "POST" ? atRoot(req, res) : false));
    deps.onLoad?.(app, deliveryHandlers, writer);
  };
}
