import { runService } from "../lib/services/service";
import { startCollab } from "./server";

// The collaboration service: one Yjs document per room, edited together over
// WebSockets (Hocuspocus), stored in PostgreSQL. See collab/server.ts.
await runService({ name: "collab", port: (config) => config.COLLAB_PORT, start: startCollab });
