-- A declined invitation is kept until it expires: the room may not invite the same person again before then.
ALTER TABLE "RoomInvitation" ADD COLUMN "declinedAt" TIMESTAMP(3);
