CREATE TABLE `evaluations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`run_id` integer NOT NULL,
	`base_policy_id` integer NOT NULL,
	`policy_id` integer NOT NULL,
	`reward_model_id` integer,
	`prompt_ids` text NOT NULL,
	`metrics` text NOT NULL,
	`samples` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `training_runs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`base_policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reward_model_id`) REFERENCES `reward_models`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `evaluations_project_idx` ON `evaluations` (`project_id`,`id`);--> statement-breakpoint
CREATE INDEX `evaluations_run_idx` ON `evaluations` (`run_id`);