ALTER TABLE `policies` ADD `project_id` integer REFERENCES projects(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `policies` ADD `evaluation` text;