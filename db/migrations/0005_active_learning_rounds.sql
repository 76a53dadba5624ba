ALTER TABLE `tasks` ADD `queue_score` real DEFAULT 0 NOT NULL;--> statement-breakpoint
DROP INDEX `tasks_queue_idx`;--> statement-breakpoint
CREATE INDEX `tasks_queue_idx` ON `tasks` (`project_id`,`status`,`is_gold`,"priority" desc,"queue_score" desc,`id`);--> statement-breakpoint
CREATE TABLE `queue_orderings` (
	`project_id` integer PRIMARY KEY NOT NULL,
	`queue_order` text NOT NULL,
	`reward_model_id` integer,
	`pending` integer DEFAULT false NOT NULL,
	`tasks_scored` integer DEFAULT 0 NOT NULL,
	`note` text,
	`scored_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reward_model_id`) REFERENCES `reward_models`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `rounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`number` integer NOT NULL,
	`trigger` text NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`step` text NOT NULL,
	`judgements_new` integer NOT NULL,
	`judgements_total` integer NOT NULL,
	`judgement_id_from` integer,
	`judgement_id_to` integer,
	`configs` text,
	`reward_run_id` integer,
	`reward_model_id` integer,
	`start_policy_id` integer,
	`policy_run_id` integer,
	`policy_id` integer,
	`sample_run_id` integer,
	`results` text DEFAULT '{}' NOT NULL,
	`error` text,
	`created_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reward_run_id`) REFERENCES `training_runs`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`reward_model_id`) REFERENCES `reward_models`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`start_policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_run_id`) REFERENCES `training_runs`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sample_run_id`) REFERENCES `training_runs`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rounds_project_number_uq` ON `rounds` (`project_id`,`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `rounds_one_running_uq` ON `rounds` (`project_id`) WHERE "rounds"."status" = 'running';
