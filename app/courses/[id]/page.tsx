import Link from "next/link";
import { notFound } from "next/navigation";
import { systemRoleOf } from "@/lib/accounts/system-roles";
import { requireUser } from "@/lib/auth/session";
import { courseRole } from "@/lib/classroom/access";
import { listInvites } from "@/lib/classroom/courses/invites";
import { listRoster } from "@/lib/classroom/courses/roster";
import { canCourse, isStaff } from "@/lib/classroom/roles";
import { web } from "@/lib/web/context";
import { TopBar } from "../../_components/TopBar";
import { CourseActions } from "../../_components/courses/CourseActions";
import { InviteCodes } from "../../_components/courses/InviteCodes";
import { Roster } from "../../_components/courses/Roster";
import { RosterUpload } from "../../_components/courses/RosterUpload";

const ROLE_LABEL = { teacher: "teacher", ta: "teaching assistant", student: "student" } as const;
const when = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16) + " UTC";

/**
 * A course: its assignments (students: only those that have opened) and its
 * people. Staff get links to a new assignment and the gradebook; teachers
 * manage the roster, the CSV upload and invite codes. Members only: anyone
 * else gets the same 404 as for no course at all.
 */
export default async function CoursePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/courses/${id}`);
  const { db, config } = web();
  const access = await courseRole(db, id, user.id);
  if (!access) notFound();
  const { course, role } = access;
  const staff = isStaff(role);
  const teacher = canCourse(role, "manage");
  const now = new Date();
  const [assignments, members, invites, systemRole] = await Promise.all([
    db.assignment.findMany({
      where: { courseId: course.id, ...(staff ? {} : { OR: [{ opensAt: null }, { opensAt: { lte: now } }] }) },
      select: { id: true, title: true, opensAt: true, dueAt: true },
      orderBy: [{ dueAt: "asc" }, { title: "asc" }],
    }),
    listRoster(db, course.id, { userId: user.id, role }),
    teacher ? listInvites(db, course.id) : Promise.resolve([]),
    systemRoleOf(db, user.id),
  ]);

  return (
    <>
      <TopBar username={user.username} admin={systemRole === "admin"} />
      <main className="workspace" data-testid="course-page">
        <p className="muted">
          <Link href="/courses">Courses</Link> /
        </p>
        <h1 data-testid="course-name">{course.name}</h1>
        <p>
          You are a <strong data-testid="course-role">{ROLE_LABEL[role]}</strong> here.
        </p>
        <CourseActions course={{ id: course.id, name: course.name }} teacher={teacher} />

        <section aria-labelledby="assignments">
          <h2 id="assignments">Assignments</h2>
          {/* No prefetch: those pages are per-request anyway, and belong to other parts of the app. */}
          {staff && (
            <p className="row-actions" style={{ marginLeft: 0 }}>
              {canCourse(role, "author") && (
                <Link href={`/courses/${course.id}/assignments/new`} prefetch={false} className="button" data-testid="new-assignment">
                  New assignment
                </Link>
              )}
              <Link href={`/courses/${course.id}/gradebook`} prefetch={false} className="button" data-testid="gradebook-link">
                Gradebook
              </Link>
            </p>
          )}
          {assignments.length === 0 ? (
            <p className="muted">No assignments {staff ? "yet" : "are open yet"}.</p>
          ) : (
            <ul className="room-list" data-testid="assignment-list">
              {assignments.map((a) => (
                <li key={a.id}>
                  <Link href={`/assignments/${a.id}`} prefetch={false} className="room-name">
                    {a.title}
                  </Link>
                  <span className="muted">due {when(a.dueAt)}</span>
                  {staff && a.opensAt && a.opensAt > now && <span className="tag">opens {when(a.opensAt)}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="people">
          <h2 id="people">{staff ? "People" : "Teachers and you"}</h2>
          <Roster courseId={course.id} members={members.map(({ userId, username, role: r }) => ({ userId, username, role: r }))} manage={teacher} />
        </section>

        {teacher && (
          <>
            <section aria-labelledby="roster-upload">
              <h2 id="roster-upload">Add people from a CSV file</h2>
              <RosterUpload courseId={course.id} />
            </section>
            <section aria-labelledby="invite-codes">
              <h2 id="invite-codes">Invite codes</h2>
              <InviteCodes
                courseId={course.id}
                invites={invites.map((i) => ({
                  id: i.id,
                  code: i.code,
                  url: `${config.publicUrl}/courses/join/${i.code}`,
                  expiresAt: i.expiresAt?.toISOString() ?? null,
                }))}
              />
            </section>
          </>
        )}
      </main>
    </>
  );
}
