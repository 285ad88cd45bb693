import { requireUser } from "@/lib/auth/session";
import { normalizeCode } from "@/lib/classroom/courses/codes";
import { AuthCard } from "../../../_components/AuthCard";
import { JoinCourseForm } from "../../../_components/courses/JoinCourseForm";

/**
 * /courses/join/<code>: the link a teacher hands out. Someone signed out is
 * sent to sign in (or sign up from there) and comes back here. The page does
 * not look the code up: only the join itself does, where wrong guesses are
 * counted (so this page cannot be used to test codes without limit).
 */
export default async function JoinCoursePage({ params }: { params: Promise<{ code: string }> }) {
  const raw = (await params).code;
  // Next.js hands the segment over decoded; codes are letters and digits, anything else simply will not match.
  const code = normalizeCode(raw).slice(0, 64);
  await requireUser(`/courses/join/${encodeURIComponent(code)}`);
  return (
    <AuthCard title="Joining a course">
      <JoinCourseForm code={code} />
    </AuthCard>
  );
}
