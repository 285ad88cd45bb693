"use client";

import { useEffect, useRef, useState } from "react";

/**
 * An inline text field in the file tree for a new file or folder's name, or a
 * rename: Enter submits, Escape cancels, and what is wrong is said under it
 * (the field stays open to fix it). Leaving it untouched cancels.
 */
export function NameField(props: { label: string; initial?: string; onSubmit(value: string): string | undefined; onCancel(): void }) {
  const [value, setValue] = useState(props.initial ?? "");
  const [error, setError] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    // A rename starts with the name selected, without its extension, as file managers do.
    const dot = (props.initial ?? "").lastIndexOf(".");
    const slash = (props.initial ?? "").lastIndexOf("/");
    if (props.initial) input.current?.setSelectionRange(slash + 1, dot > slash + 1 ? dot : props.initial.length);
  }, [props.initial]);

  const submit = () => {
    const name = value.trim();
    if (!name) return setError("Type a name first (Escape cancels).");
    const problem = props.onSubmit(name);
    setError(problem ? `${problem[0]!.toUpperCase()}${problem.slice(1)}.` : undefined);
  };
  return (
    <div className="name-field">
      <input
        ref={input}
        value={value}
        aria-label={props.label}
        placeholder={props.label}
        aria-invalid={error ? true : undefined}
        data-testid="tree-name-field"
        onChange={(e) => {
          setValue(e.target.value);
          setError(undefined);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            submit();
          } else if (e.key === "Escape") {
            e.preventDefault();
            props.onCancel();
          }
        }}
        onBlur={() => {
          if (!value.trim() || value === props.initial) props.onCancel();
        }}
      />
      {error && (
        <p className="error" role="alert" data-testid="tree-name-error">
          {error}
        </p>
      )}
    </div>
  );
}
