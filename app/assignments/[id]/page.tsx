import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { requireAssignmentAccess } from "@/lib/classroom/access";
import { assignmentView } from "@/lib/classroom/assignments/assignments";
import { web } from "@/lib/web/context";
import { TopBar } from "../../_components/TopBar";
import { AssignmentDetails } from "../../_components/assignments/AssignmentDetails";

/** An assignment, for everyone in its course: the statement, dates and rules, the tests the caller may see, and links. */
export default async function AssignmentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/assignments/${id}`);
  const { db } = web();
  const access = await requireAssignmentAccess(db, id, user.id, "read").catch(() => undefined);
  const assignment = access && (await db.assignment.findUnique({ where: { id } }));
  if (!access || !assignment) notFound();
  const view = await assignmentView(db, assignment, access.role);
  return (
    <>
      <TopBar username={user.username} />
      <main className="workspace" data-testid="assignment-page">
        <p className="muted">
          <Link prefetch={false} href={`/courses/${access.course.id}`}>
            {access.course.name}
          </Link>
        </p>
        <h1 data-testid="assignment-heading">{view.title}</h1>
        <AssignmentDetails view={view} />
      </main>
    </>
  );
}
