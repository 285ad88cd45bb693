import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { requireAssignmentAccess } from "@/lib/classroom/access";
import { isStaff } from "@/lib/classroom/roles";
import { isApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { TopBar } from "../../../_components/TopBar";
import { ClassView } from "../../../_components/classroom/ClassView";

export const dynamic = "force-dynamic";

/**
 * The live view of the class on one assignment (teachers and TAs): the help
 * queue, which visible tests each student passes now, the test failing most,
 * and one click into any student's room. The table itself is a client
 * component that refreshes itself (ClassView).
 */
export default async function ClassPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/assignments/${id}/class`);
  const access = await requireAssignmentAccess(web().db, id, user.id, "read").catch((err) => {
    if (isApiError(err)) notFound();
    throw err;
  });
  return (
    <>
      <TopBar username={user.username} />
      <main className="workspace class-view" data-testid="class-page">
        {isStaff(access.role) ? (
          <ClassView assignmentId={id} title={access.assignment.title} />
        ) : (
          <p className="error" role="alert" data-testid="class-refused">
            Only the course&apos;s teachers and teaching assistants see the class. Your own work is in{" "}
            <a href={`/assignments/${id}/workspace`}>your workspace</a>.
          </p>
        )}
      </main>
    </>
  );
}
