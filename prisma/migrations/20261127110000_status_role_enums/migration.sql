-- Execution status and room roles become enums: a value the code does not
-- know can no longer be stored. USING casts convert each stored value as it
-- is; a row holding any other value makes the migration fail (and roll back)
-- rather than be changed.

CREATE TYPE "ExecutionStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'compile_error', 'time_limit_exceeded', 'memory_limit_exceeded', 'output_limit_exceeded', 'cancelled', 'internal_error');
CREATE TYPE "RoomRole" AS ENUM ('viewer', 'editor', 'owner');
-- What an invitation or a share link may give: never ownership.
CREATE TYPE "GrantableRole" AS ENUM ('viewer', 'editor');

-- The text default cannot be cast with the column: dropped, then set again as the enum's.
ALTER TABLE "Execution" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "Execution" ALTER COLUMN "status" TYPE "ExecutionStatus" USING ("status"::"ExecutionStatus");
ALTER TABLE "Execution" ALTER COLUMN "status" SET DEFAULT 'queued';

ALTER TABLE "RoomMember" ALTER COLUMN "role" TYPE "RoomRole" USING ("role"::"RoomRole");
ALTER TABLE "RoomInvitation" ALTER COLUMN "role" TYPE "GrantableRole" USING ("role"::"GrantableRole");
ALTER TABLE "ShareLink" ALTER COLUMN "role" TYPE "GrantableRole" USING ("role"::"GrantableRole");
