"use client";

/** The open files, one tab each. */
export function Tabs(props: { tabs: Array<{ id: string; path: string }>; active?: string; onSelect(id: string): void; onClose(id: string): void }) {
  return (
    <div className="tabs" role="tablist" aria-label="Open files">
      {props.tabs.map((t) => (
        <span key={t.id} className={`tab${t.id === props.active ? " active" : ""}`}>
          <button type="button" role="tab" aria-selected={t.id === props.active} onClick={() => props.onSelect(t.id)} data-testid={`tab-${t.path}`}>
            {t.path.split("/").pop()}
          </button>
          <button type="button" className="tab-close" onClick={() => props.onClose(t.id)} aria-label={`Close ${t.path}`}>
            ×
          </button>
        </span>
      ))}
    </div>
  );
}
