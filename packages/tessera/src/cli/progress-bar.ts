// A one-line progress bar for long commands, drawn on standard error only when it is a terminal.

/** Where the bar is drawn: process.stderr, or a stand-in for tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  /** `done` of `total` so far; redrawn at most ten times a second, and always at the end */
  update(done: number, total: number): void;
  /** erases the bar, so what the command prints next starts on a clean line */
  finish(): void;
}

const REDRAW_MS = 100;
const MAX_BAR_WIDTH = 40;

/**
 * A bar like `importing [#######-------]  48% 48000/100000`. Piped, logged or redirected, the
 * stream is no terminal and nothing is drawn: the command's own output is all there is.
 */
export function progressBar(label: string, stream: ProgressStream = process.stderr, now: () => number = Date.now): ProgressBar {
  if (stream.isTTY !== true) return { update: () => {}, finish: () => {} };
  let drawnAt = -Infinity;
  let drawn = false;
  return {
    update(done, total) {
      const complete = total > 0 && done >= total;
      if (!complete && now() - drawnAt < REDRAW_MS) return;
      drawnAt = now();
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const counts = `${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}`;
      // What the terminal leaves after the label and the counts, so the line never wraps (a
      // terminal that tells no width, as some pseudo-terminals say 0, is taken as 80 wide).
      const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
      const width = Math.max(0, Math.min(MAX_BAR_WIDTH, columns - label.length - counts.length - 5));
      const filled = Math.round(ratio * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
