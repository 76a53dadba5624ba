import { defineConfig } from "drizzle-kit";

// Migrations are generated from db/schema.ts (`npx drizzle-kit generate`) and committed;
// db/migrate.ts applies them at boot and in tests.
export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema.ts",
  out: "./db/migrations",
  casing: "snake_case",
  dbCredentials: { url: process.env.PREFLAB_DB ?? "./data/preflab.db" },
});
