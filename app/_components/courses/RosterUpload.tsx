"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiFailure } from "../room/api";

interface Problem {
  line: number | null;
  problem: string;
}

/**
 * Adds many people at once from a CSV file (columns `username` and optional
 * `role`). The file is read in the browser and sent as JSON; the server takes
 * all of it or none, and lists each bad line.
 */
export function RosterUpload({ courseId }: { courseId: string }) {
  const router = useRouter();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function upload(file: File) {
    setBusy(true);
    setProblems([]);
    setMessage(undefined);
    setError(undefined);
    try {
      const res = await fetch(`/api/v1/courses/${courseId}/members/import`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ csv: await file.text() }),
      });
      const body = (await res.json().catch(() => ({}))) as {
        added?: unknown[];
        unchanged?: unknown[];
        error?: { code: string; message: string; problems?: Problem[] };
      };
      if (!res.ok) {
        if (body.error?.problems) setProblems(body.error.problems);
        else throw new ApiFailure(res.status, body.error?.code ?? "error", body.error?.message ?? `The server answered ${res.status}.`);
        setError("Nothing was imported; fix these lines and upload the file again.");
        return;
      }
      setMessage(`Added ${body.added?.length ?? 0}; ${body.unchanged?.length ?? 0} were in the course already and keep their role.`);
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not upload the file.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <p className="muted">
        A CSV file with a column <code>username</code> and, optionally, <code>role</code> (teacher, ta or student; empty means student). The header row is
        optional. Up to 1000 rows; everyone must have an account.
      </p>
      <input
        type="file"
        accept=".csv,text/csv,text/plain"
        disabled={busy}
        aria-label="Roster CSV file"
        data-testid="roster-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void upload(file);
          e.target.value = "";
        }}
      />
      {message && (
        <p role="status" data-testid="roster-upload-result">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {problems.length > 0 && (
        <ul className="error" data-testid="roster-problems">
          {problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id and are never reordered.
            <li key={i}>{p.line === null ? p.problem : `Line ${p.line}: ${p.problem}`}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
