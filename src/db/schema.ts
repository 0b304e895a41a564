// Every table, for drizzle-kit and the typed client; each lives beside the code that uses it.
export * from "../runs/runs.sql.js";
export * from "../execution/logs.sql.js";
export * from "../reporting/outbox.sql.js";
export * from "../ingress/deliveries.sql.js";
