import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { roomAssignment } from "@/lib/classroom/submissions/room-panel";
import { roomRole } from "@/lib/rooms/access";
import { web } from "@/lib/web/context";
import { TopBar } from "../../_components/TopBar";
import { RoomWorkspace } from "../../_components/room/RoomWorkspace";

/** A room: files, editor, people and runs. Members only; anyone else gets the same 404 as for no room at all. */
export default async function RoomPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/rooms/${id}`);
  const access = await roomRole(web().db, id, user.id);
  if (!access) notFound();
  // A student's assignment workspace shows the assignment panel (Test, Submit; read-only for staff).
  const assignment = await roomAssignment(web().db, id, user.id);
  return (
    <div className="room-page">
      <TopBar username={user.username} />
      <RoomWorkspace
        room={{ id: access.room.id, name: access.room.name, language: access.room.language }}
        role={access.role}
        user={user}
        assignment={assignment}
      />
    </div>
  );
}
