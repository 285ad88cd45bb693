/**
 * Every error code the API gives, once: clients branch on `code`, so a code
 * is a promise. HTTP errors (`{ error: { code, message } }`) carry their
 * status; codes sent inside an event stream (an `error` or `notice` event)
 * have status null. ApiError and jsonError accept only these codes (a new
 * one must be added here first), tests/unit/error-codes.test.ts checks that
 * each use in the code has the status given here, and that docs/errors.md
 * lists exactly these codes with these statuses.
 */
export interface ErrorCodeEntry {
  /** The HTTP status it comes with; null for a code sent inside an event stream. */
  status: number | null;
  /** When it happens, and what the client should do. */
  meaning: string;
}

export const ERROR_CODES = {
  // 400: the request itself is wrong
  invalid_request: { status: 400, meaning: "A field of the body or query is missing or wrong; the message names it." },
  malformed_json: { status: 400, meaning: "The body is not valid JSON." },
  malformed_url: { status: 400, meaning: "The path holds a malformed %-escape." },
  invalid_cursor: { status: 400, meaning: "The page cursor is not one this server gave out; pass nextCursor as it was returned." },
  invalid_encoding: { status: 400, meaning: 'The encoding parameter is not "text" or "base64".' },
  invalid_base64: { status: 400, meaning: "A field sent with encoding=base64 is not standard, padded base64." },
  invalid_text: { status: 400, meaning: "A text field holds a lone UTF-16 surrogate; send the bytes with encoding=base64." },
  unknown_language: { status: 400, meaning: "No runtime serves the language asked for; the message lists those that exist." },
  duplicate_file: { status: 400, meaning: "Two files of a run have the same name." },
  path_conflict: { status: 400, meaning: "A file name uses another file as if it were a folder." },
  invalid_file_name: { status: 400, meaning: "A room file's name cannot be run (the message says why); rename it." },
  no_files: { status: 400, meaning: "The room has no files to run." },
  too_many_files: { status: 400, meaning: "A run has more files than allowed." },
  limit_too_high: { status: 400, meaning: "A requested limit is above what this server allows." },
  limit_too_low: { status: 400, meaning: "A requested limit is below the least a run needs." },
  // Classroom assignments and their tests (h2: lib/classroom/assignments, lib/classroom/tests/import)
  too_many_tests: { status: 400, meaning: "An import with mode=append would give the assignment more tests than allowed (100)." },
  import_format_unknown: {
    status: 400,
    meaning: "The upload is neither a SAM tests file, GitHub Classroom's autograding.json, nor a zip (Kattis problem package).",
  },
  invalid_test_file: {
    status: 400,
    meaning: "The uploaded tests file or problem package is recognised but cannot be imported; the message names the test or file.",
  },
  invalid_zip: { status: 400, meaning: "The upload starts like a zip but cannot be read." },
  zip_unsafe_path: { status: 400, meaning: "The zip holds an entry whose name points outside it (absolute, '..', backslash); it is refused whole." },
  // Rooms from a zip (issue 12, files: lib/rooms/archive)
  zip_symlink: { status: 400, meaning: "A zip imported as a room holds a symbolic link; rooms hold files only." },
  zip_bad_path: { status: 400, meaning: "A zip imported as a room holds a name the file tree's rules refuse (the message says why)." },
  zip_duplicate_path: { status: 400, meaning: "A zip imported as a room holds a path twice, or one path as a file and as a folder." },
  zip_too_many_files: { status: 400, meaning: "A zip imported as a room holds more files (100) or folders (500) than a room holds." },
  zip_no_files: { status: 400, meaning: "A zip imported as a room holds no text file (binary and oversized files are skipped)." },
  // Room run configurations (i12 runconfig: app/api/v1/rooms/[id]/runs)
  entry_not_found: { status: 400, meaning: "The run's entry file is not one of the room's files; choose one of them, or leave entry out." },
  // 401, 403: who is asking
  unauthorized: { status: 401, meaning: "No valid session or API token was sent; sign in or send 'Authorization: Bearer <token>'." },
  metrics_token_required: { status: 401, meaning: "A /metrics scrape came without `Authorization: Bearer <SAM_METRICS_TOKEN>`." },
  metrics_token_invalid: { status: 401, meaning: "The scrape token is not this installation's SAM_METRICS_TOKEN." },
  invalid_credentials: { status: 401, meaning: "The username or password is wrong." },
  token_expired: { status: 401, meaning: "The API token expired; sign in again for a new one." },
  forbidden: { status: 403, meaning: "Signed in, but the role is not enough for this (e.g. a viewer stopping a run)." },
  cross_origin: { status: 403, meaning: "A change with a session cookie came from another site." },
  registration_closed: { status: 403, meaning: "Registration is closed on this server." },
  invite_required: { status: 403, meaning: "Registration needs an invite link here." },
  invite_invalid: { status: 403, meaning: "The invite is unknown, used or expired." },
  invites_disabled: { status: 403, meaning: "Invites are not used on this server (registration is open or closed)." },
  admin_only: { status: 403, meaning: "Only administrators may use this; an administrator grants the role with `npm run admin -- grant <username>`." },
  // 404: nothing there (also what a stranger gets for something that exists, so as not to reveal it)
  not_found: { status: 404, meaning: "No such route, execution or room (or it is not yours to see)." },
  metrics_disabled: { status: 404, meaning: "/metrics is off on this service: SAM_METRICS_TOKEN is not set." },
  user_not_found: { status: 404, meaning: "No user has that name." },
  member_not_found: { status: 404, meaning: "That user is not a member of the room." },
  invitation_not_found: { status: 404, meaning: "No pending invitation with that id is yours." },
  invite_not_found: { status: 404, meaning: "You have no unused invite with that id." },
  link_not_found: { status: 404, meaning: "The room has no active share link with that id." },
  link_invalid: { status: 404, meaning: "The share link is unknown, expired or revoked." },
  dead_letter_not_found: { status: 404, meaning: "No dead letter for that execution id (it was replayed or discarded)." },
  // Room history (issue 12, snapshots)
  snapshot_not_found: { status: 404, meaning: "The room has no snapshot with that id (deleted, or pruned to make way for newer run snapshots)." },
  // 409: the state of things does not allow it
  username_taken: { status: 409, meaning: "The username is taken." },
  already_finished: { status: 409, meaning: "The run already finished: nothing to cancel or type into." },
  not_interactive: { status: 409, meaning: "The run took its whole input when it started; only room runs take input while running." },
  already_member: { status: 409, meaning: "The user is already a member of the room; change their role instead." },
  invitation_declined: { status: 409, meaning: "The user declined too many of your invitations; wait until the date given, or send a share link." },
  owner_fixed: { status: 409, meaning: "The owner's role cannot be changed or removed." },
  owner_cannot_leave: { status: 409, meaning: "The owner cannot leave the room; delete it instead." },
  room_full: { status: 409, meaning: "The room has the most members and pending invitations allowed." },
  too_many_rooms: { status: 409, meaning: "You own the most rooms allowed." },
  too_many_share_links: { status: 409, meaning: "The room has the most working share links allowed." },
  too_many_invites: { status: 409, meaning: "You have the most unused invites allowed." },
  method_not_allowed: { status: 405, meaning: "Only GET (and HEAD) /metrics is served." },
  not_replayable: { status: 409, meaning: "The run is no longer internal_error (replayed or ended otherwise); reload the dead letters." },
  inputs_dropped: { status: 409, meaning: "The run's input was already dropped, so it cannot run again; discard the dead letter instead." },
  // Re-grades (issue 11, gradebook part)
  nothing_to_regrade: { status: 409, meaning: "The assignment has no submissions yet: there is nothing to re-grade." },
  regrade_running: { status: 409, meaning: "A re-grade of this assignment is already running; apply or cancel it before starting another." },
  regrade_not_ready: { status: 409, meaning: "Some gradings of the re-grade have not finished; apply it once progress shows done = total." },
  regrade_closed: { status: 409, meaning: "The re-grade was already applied or cancelled; start a new one to grade again." },
  // Classroom, submissions (issue #11, h4)
  no_workspace: { status: 409, meaning: "You have no workspace for this assignment yet; open it (/assignments/:id/workspace) before Test or Submit." },
  deadline_passed: {
    status: 409,
    meaning: "The assignment no longer takes submissions (past its due date, or past the end of late submissions); the message gives the deadline.",
  },
  // Room history (issue 12, snapshots)
  too_many_snapshots: { status: 409, meaning: "The room keeps the most named snapshots allowed (20); delete one first." },
  snapshot_quota: { status: 409, meaning: "The room's named snapshots would pass its byte quota (16 MiB); delete one first." },
  // 413, 415: the body
  payload_too_large: { status: 413, meaning: "The body is larger than the route accepts." },
  source_too_large: { status: 413, meaning: "A run's files are larger than allowed (1 MiB)." },
  stdin_too_large: { status: 413, meaning: "A run's input is larger than allowed (1 MiB in all)." },
  // Classroom test imports (h2)
  zip_too_large: {
    status: 413,
    meaning:
      "The zip is larger, or unpacks to more, than allowed (a Kattis package: 8 MiB a file, 64 MiB in all; a room: 8 MiB packed, 16 MiB unpacked, 4 MiB of text).",
  },
  zip_too_many_entries: { status: 413, meaning: "The zip has more entries than allowed (2000)." },
  unsupported_media_type: { status: 415, meaning: 'The body is not sent as "Content-Type: application/json".' },
  // 429: too much at once (Retry-After says when to try again where it is known)
  rate_limited: { status: 429, meaning: "Too many requests of this kind; try again after Retry-After seconds." },
  too_many_active_runs: { status: 429, meaning: "You have the most runs queued or running at once." },
  too_many_streams: { status: 429, meaning: "You have the most event streams (or requests waiting for a result) open at once." },
  too_many_connections: { status: 429, meaning: "Too many connections are open from your address." },
  output_budget_exhausted: { status: 429, meaning: "Your runs printed all the output allowed in this window (also sent as a notice in a run's event stream)." },
  input_budget_exhausted: { status: 429, meaning: "Your runs stored all the input allowed in this window." },
  // Classroom, submissions (issue #11, h4)
  submission_limit_reached: {
    status: 429,
    meaning:
      "No submission is left: a hard cap has no Retry-After (your latest submission counts); a refilling budget gives Retry-After until the next one comes back.",
  },
  // 500, 503: the server
  internal_error: { status: 500, meaning: "Something failed on the server; it is logged. Try again." },
  busy: { status: 503, meaning: "The server is busy checking other passwords; try again in a few seconds." },
  no_runner: { status: 503, meaning: "No runner is available right now." },
  no_template: { status: 503, meaning: "No template is available for the room's language right now." },
  database_unavailable: { status: 503, meaning: "The database is unreachable just now; nothing was changed. Try again after Retry-After (5 s)." },
  metrics_unavailable: { status: 503, meaning: "The metrics could not be collected just now; the next scrape tries again." },
  queue_unavailable: {
    status: 503,
    meaning: "The queue (Redis) is unreachable just now: a run could not be queued, or a dead letter queued again. Try again after Retry-After.",
  },
  // Courses, rosters and invite codes (classroom: courses)
  roster_invalid: { status: 400, meaning: "A roster CSV upload has problems (`problems` lists each with its line); nothing was imported." },
  course_member_not_found: { status: 404, meaning: "That user is not a member of the course." },
  course_invite_not_found: { status: 404, meaning: "The course has no working invite code with that id." },
  course_code_invalid: { status: 404, meaning: "The course invite code is unknown, revoked or expired (the message says which)." },
  course_already_member: { status: 409, meaning: "The user is already a member of the course; change their role instead." },
  last_teacher: { status: 409, meaning: "The course's only teacher cannot be demoted, removed or leave; make someone else a teacher first." },
  course_full: { status: 409, meaning: "The course has the most members allowed (1000)." },
  too_many_courses: { status: 409, meaning: "You teach the most courses an account may (50)." },
  too_many_course_invites: { status: 409, meaning: "The course has the most working invite codes allowed (20)." },
  // Room terminal (issue #12, terminal: lib/terminals/)
  no_terminal: { status: 404, meaning: "The room has no terminal running (or not the one named); start one." },
  terminal_ended: { status: 409, meaning: "The room's terminal ended while the request was handled; start it again." },
  terminal_input_full: { status: 413, meaning: "The terminal was sent all the input one terminal may get (8 MiB); stop it and start a new one." },
  // Inside an event stream
  access_revoked: { status: null, meaning: "Run event stream: you may no longer watch this run (signed out, token revoked, left its room); the stream ends." },
  stream_failed: { status: null, meaning: "Event stream: the stream broke on the server; reconnect with Last-Event-ID to resume." },
  live_output_skipped: { status: null, meaning: "Run event stream (notice): output was not streamed live; the result carries all of it." },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;
