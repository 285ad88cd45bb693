-- Named and per-run snapshots of a room's files (lib/rooms/snapshots/).
CREATE TYPE "SnapshotKind" AS ENUM ('manual', 'run');

CREATE TABLE "RoomSnapshot" (
    "id" UUID NOT NULL,
    "roomId" UUID NOT NULL,
    "kind" "SnapshotKind" NOT NULL,
    "name" VARCHAR(80),
    "createdById" UUID,
    "executionId" UUID,
    "files" JSONB NOT NULL,
    "bytes" INTEGER NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RoomSnapshot_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "RoomSnapshot_roomId_createdAt_idx" ON "RoomSnapshot"("roomId", "createdAt");

ALTER TABLE "RoomSnapshot" ADD CONSTRAINT "RoomSnapshot_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "Room"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "RoomSnapshot" ADD CONSTRAINT "RoomSnapshot_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
