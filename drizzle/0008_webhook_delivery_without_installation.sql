-- The endpoint no longer parses a delivery's payload, only reads its `action`; the installation
-- is taken from the payload when the delivery is handled, so the column is no longer written.
ALTER TABLE "webhook_deliveries" DROP COLUMN "installation_id";
