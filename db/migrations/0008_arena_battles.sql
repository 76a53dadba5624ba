ALTER TABLE `users` ADD `external` integer DEFAULT false NOT NULL;
