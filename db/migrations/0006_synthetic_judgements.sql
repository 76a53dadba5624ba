ALTER TABLE `judgements` ADD `run_id` integer REFERENCES training_runs(id);--> statement-breakpoint
ALTER TABLE `tasks` ADD `synthetic` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_synthetic_idx` ON `tasks` (`project_id`,`id`) WHERE "tasks"."synthetic" = 1;
