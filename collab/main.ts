import { runService } from "../lib/services/service";

// The collaboration (Hocuspocus/Yjs room) server. For now it connects to
// PostgreSQL and Redis, announces itself and answers GET /health on COLLAB_PORT;
// the rooms themselves arrive with the collaborative-rooms issue.
await runService({ name: "collab", port: (config) => config.COLLAB_PORT });
