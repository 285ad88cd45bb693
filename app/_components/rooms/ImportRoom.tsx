"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ROOM_ZIP_LIMITS, sizeText } from "@/lib/rooms/archive/limits";

interface Imported {
  room: { id: string };
  files: number;
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * Creates a room from a zip (POST /api/v1/rooms/import) and opens it. The
 * zip's text files become the room's; binary and oversized files are skipped,
 * and when any were, they are listed here before the room opens.
 */
export function ImportRoom({ languages }: { languages: Array<{ language: string; version: string }> }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [language, setLanguage] = useState(languages.find((l) => l.language === "python")?.language ?? languages[0]?.language ?? "");
  const [zip, setZip] = useState<File>();
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<Imported>();
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!zip) return;
    if (zip.size > ROOM_ZIP_LIMITS.zipBytes) {
      setError(`${zip.name} is ${sizeText(zip.size)}; a zip may be at most ${sizeText(ROOM_ZIP_LIMITS.zipBytes)}.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const query = new URLSearchParams({ name: name.trim(), language });
      const res = await fetch(`/api/v1/rooms/import?${query}`, { method: "POST", headers: { "content-type": "application/zip" }, body: zip });
      const body = (await res.json().catch(() => ({}))) as Partial<Imported> & { error?: { message: string } };
      if (!res.ok) throw new Error(body.error?.message ?? `The server answered ${res.status}.`);
      const imported = body as Imported;
      if (imported.skipped.length === 0) router.push(`/rooms/${imported.room.id}`);
      else {
        setResult(imported);
        setBusy(false);
      }
    } catch (err) {
      setError(err instanceof TypeError ? "The server could not be reached; try again." : (err as Error).message);
      setBusy(false);
    }
  }

  if (languages.length === 0) return null;
  if (result) {
    return (
      <div className="import-result" data-testid="import-result">
        <p role="status">
          Created the room with {result.files} file{result.files === 1 ? "" : "s"}. Skipped {result.skipped.length}:
        </p>
        <ul data-testid="import-skipped">
          {result.skipped.map((s) => (
            <li key={s.path}>{s.reason}</li>
          ))}
        </ul>
        <button type="button" className="primary" onClick={() => router.push(`/rooms/${result.room.id}`)} data-testid="import-open">
          Open the room
        </button>
      </div>
    );
  }
  return (
    <form className="new-room" onSubmit={submit} aria-label="Create a room from a zip">
      <label>
        Zip file
        <input
          type="file"
          accept=".zip,application/zip"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            setZip(file);
            if (file && !name.trim()) setName(file.name.replace(/\.zip$/i, "").slice(0, 80));
          }}
          required
          data-testid="import-zip"
        />
      </label>
      <label>
        Room name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} data-testid="import-name" />
      </label>
      <label>
        Language
        <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="import-language">
          {languages.map((l) => (
            <option key={l.language} value={l.language}>
              {l.language} ({l.version})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={busy || !zip || !name.trim()} data-testid="import-room">
        {busy ? "Importing…" : "Create from zip"}
      </button>
      <p className="muted">Text files only (binary files are skipped); at most 100 files, 1 MiB each, 4 MiB in all.</p>
      {error && (
        <p className="error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
    </form>
  );
}
