// Worker threads do not inherit vitest's TypeScript loading; tsx provides it here.
import { register } from "tsx/esm/api";

register();
await import("./docker-thread.ts");
