"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { defaultNewRoomLanguage } from "@/lib/rooms/run-config";
import { api, ApiFailure } from "../room/api";

/** Creates a room from a language's hello-world template and opens it. */
export function NewRoomForm({ languages }: { languages: Array<{ language: string; version: string }> }) {
  const router = useRouter();
  const [name, setName] = useState("");
  // Python where a runner offers it (the language most people start with), not the first alphabetically.
  const [language, setLanguage] = useState(() => defaultNewRoomLanguage(languages));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const room = await api<{ id: string }>("/api/v1/rooms", { method: "POST", body: { name, language } });
      router.push(`/rooms/${room.id}`);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not create the room.");
      setBusy(false);
    }
  }

  if (languages.length === 0) {
    return (
      <p className="notice" role="status">
        No runner is available yet, so no language can be chosen; this page will offer them once a runner has started.
      </p>
    );
  }
  return (
    <form className="new-room" onSubmit={create} aria-label="Create a room">
      <label>
        Room name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} placeholder="e.g. Homework 3" data-testid="new-room-name" />
      </label>
      <label>
        Language
        <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="new-room-language">
          {languages.map((l) => (
            <option key={l.language} value={l.language}>
              {l.language} ({l.version})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={busy || !name.trim()} data-testid="create-room">
        {busy ? "Creating…" : "Create room"}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
