-- Webhook payloads are stored uncompressed (still out of line): compressing each one (about 14 KB
-- for a comment) cost PostgreSQL about as much CPU as the rest of the insert, for every delivery
-- the endpoint answers, while they are kept only until pruned. Rows stored before keep theirs.
ALTER TABLE "webhook_deliveries" ALTER COLUMN "payload" SET STORAGE EXTERNAL;
