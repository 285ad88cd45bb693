import Link from "next/link";
import { systemRoleOf } from "@/lib/accounts/system-roles";
import { requireUser } from "@/lib/auth/session";
import { listMyCourses } from "@/lib/classroom/courses/courses";
import { web } from "@/lib/web/context";
import { TopBar } from "../_components/TopBar";
import { JoinCourseForm } from "../_components/courses/JoinCourseForm";
import { NewCourseForm } from "../_components/courses/NewCourseForm";

const ROLE_LABEL = { teacher: "teacher", ta: "TA", student: "student" } as const;

/** My courses with my role in each; a new course (I teach it); joining one with an invite code. */
export default async function CoursesPage() {
  const user = await requireUser("/courses");
  const { db } = web();
  const [courses, systemRole] = await Promise.all([listMyCourses(db, user.id), systemRoleOf(db, user.id)]);
  return (
    <>
      <TopBar username={user.username} admin={systemRole === "admin"} />
      <main className="workspace">
        <h1>Courses</h1>
        <section aria-labelledby="my-courses">
          <h2 id="my-courses">Your courses</h2>
          {courses.length === 0 ? (
            <div className="empty" role="status">
              <p>You are in no course yet. Join one with the code your teacher gave you, or create one to teach.</p>
            </div>
          ) : (
            <ul className="room-list" data-testid="course-list">
              {courses.map((c) => (
                <li key={c.id}>
                  <Link href={`/courses/${c.id}`} className="room-name">
                    {c.name}
                  </Link>
                  <span className={`role role-${c.role}`}>{ROLE_LABEL[c.role]}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="join-course">
          <h2 id="join-course">Join a course</h2>
          <JoinCourseForm />
        </section>
        <section aria-labelledby="new-course">
          <h2 id="new-course">New course</h2>
          <p className="muted">Anyone with an account may create a course; you become its teacher.</p>
          <NewCourseForm />
        </section>
      </main>
    </>
  );
}
