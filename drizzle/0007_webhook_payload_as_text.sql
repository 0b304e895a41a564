-- Webhook payloads are stored as text: the endpoint stores only what Probot has already parsed,
-- so PostgreSQL checking each one again as `json` was about a quarter of its work for a
-- delivery. Still stored uncompressed (0006), said again with the new type.
ALTER TABLE "webhook_deliveries" ALTER COLUMN "payload" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ALTER COLUMN "payload" SET STORAGE EXTERNAL;
