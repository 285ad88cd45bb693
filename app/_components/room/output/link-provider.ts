import type { IBufferLine, IDisposable, ILink, Terminal } from "@xterm/xterm";
import { findFileRefs } from "./file-links";

/**
 * Makes file references in the terminal clickable (xterm's link provider API).
 * A reference may wrap over rows in a narrow panel: the provider reads the
 * whole logical line (rows joined while xterm marks them as wrapped) and maps
 * each reference's characters back to cells. `exists` and `open` are read on
 * every call, so they may change after the provider is registered.
 */
export function registerFileLinks(
  terminal: Terminal,
  opts: { exists(path: string): boolean; open(path: string, line: number, column?: number): void },
): IDisposable {
  return terminal.registerLinkProvider({
    provideLinks(row, callback) {
      const buffer = terminal.buffer.active;
      // Rows are 1-based here, 0-based in the buffer.
      let first = row - 1;
      while (first > 0 && buffer.getLine(first)?.isWrapped) first--;
      const rows: IBufferLine[] = [];
      for (let y = first; y < buffer.length; y++) {
        const line = buffer.getLine(y);
        if (!line || (y > first && !line.isWrapped)) break;
        rows.push(line);
      }
      // Each wrapped row holds exactly `cols` cells; the last is trimmed. (Wide characters shift the mapping: rare in paths.)
      const text = rows.map((line, i) => line.translateToString(i === rows.length - 1)).join("");
      const cols = terminal.cols;
      const cell = (offset: number) => ({ x: (offset % cols) + 1, y: first + Math.floor(offset / cols) + 1 });
      const links: ILink[] = [];
      for (const ref of findFileRefs(text, opts.exists)) {
        const start = cell(ref.start);
        const end = cell(ref.end - 1);
        if (row < start.y || row > end.y) continue;
        links.push({
          range: { start, end },
          text: text.slice(ref.start, ref.end),
          decorations: { pointerCursor: true, underline: true },
          activate: () => opts.open(ref.path, ref.line, ref.column),
        });
      }
      callback(links.length ? links : undefined);
    },
  });
}
