CREATE TYPE "public"."action_status" AS ENUM('pending', 'running', 'done', 'failed', 'stopped');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('pending', 'running', 'done', 'failed', 'stopped');--> statement-breakpoint
CREATE TYPE "public"."step_status" AS ENUM('pending', 'running', 'done', 'failed', 'stopped', 'skipped');--> statement-breakpoint
CREATE TYPE "public"."check_phase" AS ENUM('queued', 'in_progress', 'completed');--> statement-breakpoint
CREATE TABLE "action_steps" (
	"action_id" uuid NOT NULL,
	"index" integer NOT NULL,
	"name" text NOT NULL,
	"status" "step_status" DEFAULT 'pending' NOT NULL,
	"exit_code" integer,
	"reason" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "action_steps_action_id_index_pk" PRIMARY KEY("action_id","index")
);
--> statement-breakpoint
CREATE TABLE "actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"repository" text NOT NULL,
	"repository_id" bigint NOT NULL,
	"clone_url" text NOT NULL,
	"ref" text NOT NULL,
	"project" text,
	"status" "action_status" DEFAULT 'pending' NOT NULL,
	"reason" text,
	"timed_out" boolean DEFAULT false NOT NULL,
	"check_run_id" bigint,
	"pull_request_url" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_by" text,
	"lease_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"automation" text NOT NULL,
	"installation_id" bigint NOT NULL,
	"repository" text NOT NULL,
	"repository_id" bigint NOT NULL,
	"head_sha" text NOT NULL,
	"trigger" jsonb NOT NULL,
	"delivery_id" text NOT NULL,
	"command_index" integer DEFAULT 0 NOT NULL,
	"definition" jsonb NOT NULL,
	"definition_source" text NOT NULL,
	"definition_path" text NOT NULL,
	"definition_sha" text NOT NULL,
	"definition_repository" text NOT NULL,
	"status" "run_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "log_chunks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"action_id" uuid NOT NULL,
	"step_index" integer NOT NULL,
	"stream" text NOT NULL,
	"content" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"action_id" uuid,
	"phase" "check_phase" NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "action_steps" ADD CONSTRAINT "action_steps_action_id_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "log_chunks" ADD CONSTRAINT "log_chunks_action_id_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_outbox" ADD CONSTRAINT "check_outbox_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_outbox" ADD CONSTRAINT "check_outbox_action_id_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actions_run" ON "actions" USING btree ("run_id","position");--> statement-breakpoint
CREATE INDEX "actions_pending" ON "actions" USING btree ("created_at") WHERE status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "runs_delivery_command" ON "runs" USING btree ("delivery_id","command_index");--> statement-breakpoint
CREATE INDEX "log_chunks_action" ON "log_chunks" USING btree ("action_id","id");--> statement-breakpoint
CREATE INDEX "check_outbox_unsent" ON "check_outbox" USING btree ("id") WHERE sent_at is null;