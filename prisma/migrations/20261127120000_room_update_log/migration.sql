-- Every room edit, written before the room server acknowledges it to the client
-- (collab/document/update-log.ts). A collab process killed between two stores of
-- a room's document loses nothing it acknowledged: loading the room applies the
-- stored document and then these rows. A store deletes the rows its document
-- contains, so a room's log holds only what came after its last store.
CREATE TABLE "RoomUpdate" (
    "id" BIGSERIAL NOT NULL,
    "roomId" UUID NOT NULL,
    "update" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RoomUpdate_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "RoomUpdate_roomId_id_idx" ON "RoomUpdate"("roomId", "id");

ALTER TABLE "RoomUpdate" ADD CONSTRAINT "RoomUpdate_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "Room"("id") ON DELETE CASCADE ON UPDATE CASCADE;
