DROP INDEX `tasks_queue_idx`;--> statement-breakpoint
ALTER TABLE `tasks` ADD `priority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_queue_idx` ON `tasks` (`project_id`,`status`,`is_gold`,"priority" desc,`id`);