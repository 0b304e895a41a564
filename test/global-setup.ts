import type { TestProject } from "vitest/node";
import { startPostgresServer } from "./helpers/postgres-server.js";

// One real PostgreSQL for the whole suite: TEST_DATABASE_URL when given, otherwise an embedded
// server started here. Each test file creates its own database in it.

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startPostgresServer(process.env.TEST_DATABASE_URL);
  project.provide("databaseUrl", server.url);
  return () => server.stop();
}
