-- Program input and output become bytes: a text or jsonb column holds neither
-- NUL nor invalid UTF-8, so a program that printed a NUL could not be stored.
-- Existing text converts exactly: a text value is valid UTF-8, and its bytes
-- are what convert_to gives.

-- CreateTable
CREATE TABLE "ExecutionFile" (
    "executionId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "ExecutionFile_pkey" PRIMARY KEY ("executionId","position")
);

-- AddForeignKey
ALTER TABLE "ExecutionFile" ADD CONSTRAINT "ExecutionFile_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Files move out of the jsonb list, in their order (the entry point first).
INSERT INTO "ExecutionFile" ("executionId", "position", "name", "content")
SELECT e."id", (f.ord - 1)::integer, f.value->>'name', convert_to(coalesce(f.value->>'content', ''), 'UTF8')
FROM "Execution" e
CROSS JOIN LATERAL jsonb_array_elements(e."files") WITH ORDINALITY AS f(value, ord);

-- AlterTable
ALTER TABLE "Execution" DROP COLUMN "files";
ALTER TABLE "Execution" ALTER COLUMN "stdin" DROP DEFAULT;
ALTER TABLE "Execution" ALTER COLUMN "stdin" SET DATA TYPE BYTEA USING convert_to("stdin", 'UTF8');
ALTER TABLE "Execution" ALTER COLUMN "stdin" SET DEFAULT '\x';
ALTER TABLE "Execution" ALTER COLUMN "stdout" DROP DEFAULT;
ALTER TABLE "Execution" ALTER COLUMN "stdout" SET DATA TYPE BYTEA USING convert_to("stdout", 'UTF8');
ALTER TABLE "Execution" ALTER COLUMN "stdout" SET DEFAULT '\x';
ALTER TABLE "Execution" ALTER COLUMN "stderr" DROP DEFAULT;
ALTER TABLE "Execution" ALTER COLUMN "stderr" SET DATA TYPE BYTEA USING convert_to("stderr", 'UTF8');
ALTER TABLE "Execution" ALTER COLUMN "stderr" SET DEFAULT '\x';
ALTER TABLE "Execution" ALTER COLUMN "compileOutput" SET DATA TYPE BYTEA USING convert_to("compileOutput", 'UTF8');

-- CreateIndex
CREATE INDEX "Execution_userId_status_idx" ON "Execution"("userId", "status");

-- CreateIndex
CREATE INDEX "Execution_createdAt_idx" ON "Execution"("createdAt");
