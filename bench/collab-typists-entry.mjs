// Worker threads do not inherit tsx's loader here (Node 20): register it, then run the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./collab-typists.ts");
