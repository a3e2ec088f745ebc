// Text lines of a (possibly gzip'd) file, streamed, as Python's text mode reads them: universal
// newlines (`\r\n` and `\r` become `\n`), each line with its `\n`, the last one as it ends.
import fs from "node:fs";
import zlib from "node:zlib";
import { once } from "node:events";

const GZIP = (p) => p.includes(".gz") || p.includes(".gzip");

/** An async iterator of lines; `next()` gives "" at the end, as Python's readline. */
export function lineReader(file) {
  const source = fs.createReadStream(file);
  const stream = GZIP(file) ? source.pipe(zlib.createGunzip()) : source;
  stream.setEncoding("utf8");
  const it = stream[Symbol.asyncIterator]();
  let buf = "";
  let ended = false;
  let pendingCR = false;
  const lines = [];
  async function fill() {
    while (!lines.length && !ended) {
      const step = await it.next();
      if (step.done) {
        ended = true;
        if (buf) lines.push(buf);
        buf = "";
        break;
      }
      let text = step.value;
      if (pendingCR) { text = `\r${text}`; pendingCR = false; }
      // A `\r` at the end of a chunk may be the first half of `\r\n`.
      if (text.endsWith("\r")) { pendingCR = true; text = text.slice(0, -1); }
      text = text.replace(/\r\n?/g, "\n");
      buf += text;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, nl + 1));
        buf = buf.slice(nl + 1);
      }
    }
  }
  return {
    async readline() {
      await fill();
      if (pendingCR && ended) { pendingCR = false; return "\n"; }
      return lines.shift() ?? "";
    },
    close() { source.destroy(); },
  };
}

/** A writer with backpressure: to a file (gzip'd when asked or named .gz) or stdout. */
export function lineWriter(file, { gzip = false } = {}) {
  const toStdout = !file || file === "-" || file === "/dev/stdout";
  const sink = toStdout ? process.stdout : fs.createWriteStream(file);
  const useGzip = gzip || (!toStdout && GZIP(file));
  const head = useGzip ? zlib.createGzip() : sink;
  if (useGzip) head.pipe(sink);
  return {
    async write(s) {
      if (!head.write(s)) await once(head, "drain");
    },
    async close() {
      if (head === process.stdout) return;
      const done = once(sink, toStdout ? "drain" : "finish").catch(() => {});
      head.end();
      if (!toStdout) await done;
      else await new Promise((r) => head.once("end", r));
    },
  };
}
