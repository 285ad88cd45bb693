-- The classroom (docs/classroom.md): courses and their members and invite codes,
-- assignments with tests, students' private workspaces (rooms), submissions,
-- gradings (each queued as one Execution), per-test results and re-grade sets.
CREATE TYPE "CourseRole" AS ENUM ('teacher', 'ta', 'student');
CREATE TYPE "HiddenFeedback" AS ENUM ('verdict', 'nothing');
CREATE TYPE "TestVisibility" AS ENUM ('visible', 'hidden', 'after_due');
CREATE TYPE "TestKind" AS ENUM ('io', 'checker', 'command');
CREATE TYPE "GradingKind" AS ENUM ('test', 'submission', 'regrade');
CREATE TYPE "Verdict" AS ENUM ('passed', 'wrong_answer', 'time_limit', 'memory_limit', 'output_limit', 'runtime_error', 'compile_error', 'judge_error');
CREATE TYPE "RegradeStatus" AS ENUM ('running', 'ready', 'applied', 'cancelled');

CREATE TABLE "Course" (
    "id" UUID NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Course_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "CourseMember" (
    "courseId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "role" "CourseRole" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CourseMember_pkey" PRIMARY KEY ("courseId", "userId")
);
CREATE INDEX "CourseMember_userId_idx" ON "CourseMember"("userId");

CREATE TABLE "CourseInvite" (
    "id" UUID NOT NULL,
    "courseId" UUID NOT NULL,
    "code" VARCHAR(32) NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    CONSTRAINT "CourseInvite_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CourseInvite_code_key" ON "CourseInvite"("code");
CREATE INDEX "CourseInvite_courseId_idx" ON "CourseInvite"("courseId");

CREATE TABLE "Assignment" (
    "id" UUID NOT NULL,
    "courseId" UUID NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "statement" TEXT NOT NULL DEFAULT '',
    "language" TEXT NOT NULL,
    "starterFiles" JSONB NOT NULL DEFAULT '[]',
    "opensAt" TIMESTAMP(3),
    "dueAt" TIMESTAMP(3) NOT NULL,
    "lateUntil" TIMESTAMP(3),
    "latePenaltyPerDay" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "submissionLimit" INTEGER,
    "submissionRefillMinutes" INTEGER,
    "hiddenFeedback" "HiddenFeedback" NOT NULL DEFAULT 'verdict',
    "limits" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Assignment_courseId_dueAt_idx" ON "Assignment"("courseId", "dueAt");

CREATE TABLE "AssignmentTest" (
    "id" UUID NOT NULL,
    "assignmentId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "points" DOUBLE PRECISION NOT NULL,
    "visibility" "TestVisibility" NOT NULL DEFAULT 'visible',
    "kind" "TestKind" NOT NULL,
    "spec" JSONB NOT NULL,
    "limits" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "AssignmentTest_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "AssignmentTest_assignmentId_position_key" ON "AssignmentTest"("assignmentId", "position");

CREATE TABLE "AssignmentWorkspace" (
    "assignmentId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "roomId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "helpRequestedAt" TIMESTAMP(3),
    "helpMessage" VARCHAR(500),
    CONSTRAINT "AssignmentWorkspace_pkey" PRIMARY KEY ("assignmentId", "userId")
);
CREATE UNIQUE INDEX "AssignmentWorkspace_roomId_key" ON "AssignmentWorkspace"("roomId");

CREATE TABLE "Submission" (
    "id" UUID NOT NULL,
    "assignmentId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "files" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "daysLate" INTEGER NOT NULL DEFAULT 0,
    "gradingId" UUID,
    "overrideScore" DOUBLE PRECISION,
    "overrideComment" VARCHAR(2000),
    "overriddenById" UUID,
    "overriddenAt" TIMESTAMP(3),
    CONSTRAINT "Submission_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Submission_gradingId_key" ON "Submission"("gradingId");
CREATE UNIQUE INDEX "Submission_assignmentId_userId_number_key" ON "Submission"("assignmentId", "userId", "number");
CREATE INDEX "Submission_assignmentId_createdAt_idx" ON "Submission"("assignmentId", "createdAt");

CREATE TABLE "Grading" (
    "id" UUID NOT NULL,
    "executionId" UUID,
    "assignmentId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "kind" "GradingKind" NOT NULL,
    "submissionId" UUID,
    "regradeSetId" UUID,
    "score" DOUBLE PRECISION,
    "maxScore" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "compileError" BOOLEAN NOT NULL DEFAULT false,
    "compileOutput" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    CONSTRAINT "Grading_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Grading_executionId_key" ON "Grading"("executionId");
CREATE INDEX "Grading_assignmentId_userId_createdAt_idx" ON "Grading"("assignmentId", "userId", "createdAt");
CREATE INDEX "Grading_regradeSetId_idx" ON "Grading"("regradeSetId");

CREATE TABLE "TestResult" (
    "gradingId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "testId" UUID,
    "name" VARCHAR(200) NOT NULL,
    "visibility" "TestVisibility" NOT NULL,
    "maxPoints" DOUBLE PRECISION NOT NULL,
    "points" DOUBLE PRECISION NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "exitCode" INTEGER,
    "signal" TEXT,
    "stdout" BYTEA NOT NULL DEFAULT '\x',
    "stderr" BYTEA NOT NULL DEFAULT '\x',
    "feedback" TEXT,
    "timeMs" INTEGER,
    "memoryKb" INTEGER,
    CONSTRAINT "TestResult_pkey" PRIMARY KEY ("gradingId", "position")
);

CREATE TABLE "RegradeSet" (
    "id" UUID NOT NULL,
    "assignmentId" UUID NOT NULL,
    "createdById" UUID NOT NULL,
    "status" "RegradeStatus" NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    CONSTRAINT "RegradeSet_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RegradeSet_assignmentId_createdAt_idx" ON "RegradeSet"("assignmentId", "createdAt");

ALTER TABLE "CourseMember" ADD CONSTRAINT "CourseMember_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "Course"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CourseMember" ADD CONSTRAINT "CourseMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CourseInvite" ADD CONSTRAINT "CourseInvite_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "Course"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Assignment" ADD CONSTRAINT "Assignment_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "Course"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssignmentTest" ADD CONSTRAINT "AssignmentTest_assignmentId_fkey" FOREIGN KEY ("assignmentId") REFERENCES "Assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssignmentWorkspace" ADD CONSTRAINT "AssignmentWorkspace_assignmentId_fkey" FOREIGN KEY ("assignmentId") REFERENCES "Assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssignmentWorkspace" ADD CONSTRAINT "AssignmentWorkspace_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "Room"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_assignmentId_fkey" FOREIGN KEY ("assignmentId") REFERENCES "Assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_gradingId_fkey" FOREIGN KEY ("gradingId") REFERENCES "Grading"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Grading" ADD CONSTRAINT "Grading_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Grading" ADD CONSTRAINT "Grading_assignmentId_fkey" FOREIGN KEY ("assignmentId") REFERENCES "Assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Grading" ADD CONSTRAINT "Grading_submissionId_fkey" FOREIGN KEY ("submissionId") REFERENCES "Submission"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Grading" ADD CONSTRAINT "Grading_regradeSetId_fkey" FOREIGN KEY ("regradeSetId") REFERENCES "RegradeSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "TestResult" ADD CONSTRAINT "TestResult_gradingId_fkey" FOREIGN KEY ("gradingId") REFERENCES "Grading"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "RegradeSet" ADD CONSTRAINT "RegradeSet_assignmentId_fkey" FOREIGN KEY ("assignmentId") REFERENCES "Assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
