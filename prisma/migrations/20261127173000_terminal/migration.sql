-- A room's shared terminal (issue #12, terminal) is an interactive execution
-- marked as such: the runner gives it a shell in a pseudo-terminal instead of
-- running the room's program, and a room has at most one queued or running.
ALTER TABLE "Execution" ADD COLUMN "terminal" BOOLEAN NOT NULL DEFAULT false;

-- One queued or running terminal per room, whatever two requests do at once.
CREATE UNIQUE INDEX "Execution_one_live_terminal_per_room" ON "Execution"("roomId") WHERE "terminal" AND "status" IN ('queued', 'running');
