-- System roles (admin beside ordinary users), and the dead letters administrators act on.
CREATE TYPE "SystemRole" AS ENUM ('user', 'admin');
ALTER TABLE "User" ADD COLUMN "systemRole" "SystemRole" NOT NULL DEFAULT 'user';

-- Each replay from the dead letters allows a fresh set of attempts; attempt numbers keep growing,
-- so a late runner of an earlier attempt can never write a result.
ALTER TABLE "Execution" ADD COLUMN "replays" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "DeadLetter" (
    "executionId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "attempts" JSONB NOT NULL,
    "job" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeadLetter_pkey" PRIMARY KEY ("executionId")
);
CREATE INDEX "DeadLetter_createdAt_idx" ON "DeadLetter"("createdAt");
ALTER TABLE "DeadLetter" ADD CONSTRAINT "DeadLetter_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;
