ALTER TABLE "actions" ADD COLUMN "pull_request_number" integer;--> statement-breakpoint
ALTER TABLE "actions" ADD COLUMN "session" text;--> statement-breakpoint
ALTER TABLE "actions" ADD COLUMN "error_line" text;--> statement-breakpoint
ALTER TABLE "actions" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "rerun_of" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "skipped_targets" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "secret_fingerprints" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "summary_check_run_id" bigint;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cancelled_by" text;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_rerun_of_runs_id_fk" FOREIGN KEY ("rerun_of") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "runs_automation_created" ON "runs" USING btree ("automation","created_at");