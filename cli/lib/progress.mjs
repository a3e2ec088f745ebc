// Progress on stderr: a redrawn bar with rate and time left on a terminal; otherwise a plain
// line every 10 % (or every 10 s when the total is unknown), so logs stay readable.
const MIN_REDRAW_MS = 100;
const PLAIN_EVERY_MS = 10_000;

export function bytesText(n) {
  if (!Number.isFinite(n)) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function durationText(s) {
  if (!Number.isFinite(s) || s < 0) return "--:--";
  s = Math.round(s);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** A progress display: `update(done, total)`, `done()`. Quiet when `ctx.quiet`. */
export function progress(ctx, label, total, { stream = process.stderr, unit = "bytes" } = {}) {
  const amount = unit === "bytes" ? bytesText : (n) => String(n);
  const perSecond = unit === "bytes" ? (r) => `${bytesText(r)}/s` : (r) => `${r.toFixed(1)}/s`;
  const started = Date.now();
  let last = 0;
  let lastPlainStep = -1;
  let lastPlainAt = started;
  let current = 0;
  let finished = false;
  const tty = Boolean(stream.isTTY);
  const render = (final) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? current / elapsed : 0;
    const left = total && rate > 0 ? (total - current) / rate : NaN;
    if (tty) {
      const width = Math.max(10, Math.min(30, (stream.columns || 80) - label.length - 50));
      const frac = total ? Math.min(1, current / total) : 0;
      const filled = Math.round(frac * width);
      const bar = total ? `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%` : "";
      stream.write(`\r\x1b[K${label} ${bar} ${amount(current)}${total ? `/${amount(total)}` : ""} ${perSecond(rate)} ${final ? durationText(elapsed) : `ETA ${durationText(left)}`}${final ? "\n" : ""}`);
    } else {
      const pct = total ? Math.floor((current / total) * 10) : -1;
      const due = total ? pct > lastPlainStep : Date.now() - lastPlainAt >= PLAIN_EVERY_MS;
      if (!final && !due) return;
      lastPlainStep = pct;
      lastPlainAt = Date.now();
      stream.write(`${label}: ${amount(current)}${total ? ` of ${amount(total)} (${Math.floor((current / total) * 100)}%)` : ""}, ${perSecond(rate)}${final ? `, done in ${durationText(elapsed)}` : ""}\n`);
    }
  };
  return {
    update(p, t) {
      if (ctx.quiet || finished) return;
      // The library reports `{ bytes, total }` (downloads) or `{ loaded, total }` (uploads).
      if (p && typeof p === "object") { current = p.bytes ?? p.loaded ?? current; if (p.total) total = p.total; } else { current = p; if (t) total = t; }
      const now = Date.now();
      if (now - last < MIN_REDRAW_MS) return;
      last = now;
      render(false);
    },
    done() {
      if (ctx.quiet || finished) return;
      finished = true;
      if (total) current = Math.max(current, total);
      render(true);
    },
  };
}

export const downloadProgress = (ctx, label, total) => progress(ctx, label, total);
