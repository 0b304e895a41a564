ALTER TABLE "check_outbox" ADD COLUMN "gave_up_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "check_outbox_action" ON "check_outbox" USING btree ("action_id","id");--> statement-breakpoint
CREATE INDEX "check_outbox_run_summary" ON "check_outbox" USING btree ("run_id","id") WHERE action_id is null;