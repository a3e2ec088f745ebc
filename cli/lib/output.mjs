// What goes to stdout: the requested data and nothing else. JSON as the Python CLI prints it
// (`json.dumps(sort_keys=True, indent=4, separators=(",", ": "))`, non-ASCII escaped), compact
// JSON for --no-pretty-print, and for listings NDJSON (streamed), CSV and a terminal table.

const NON_ASCII = /[\u007f-\uffff]/g;
const asciiEscape = (s) => s.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

function sortedKeys(value) {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object") {
    const out = {};
    for (const k of Object.keys(value).sort(byCodePoint)) out[k] = sortedKeys(value[k]);
    return out;
  }
  return value;
}

// Python sorts keys by code point; JS's default sort compares UTF-16 units (same below U+D800).
function byCodePoint(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The Python CLI's pretty JSON, byte for byte where JSON values allow (ints and floats aside). */
export function pythonJson(value) {
  return asciiEscape(JSON.stringify(sortedKeys(value), null, 4) ?? "null");
}

export function compactJson(value) {
  return JSON.stringify(value) ?? "null";
}

/** Writes to stdout with backpressure; a closed pipe (`| head`) ends the process quietly. */
export function writeOut(text) {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once("drain", resolve);
  });
}

process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

export async function printJson(value, { pretty = true } = {}) {
  await writeOut(`${pretty ? pythonJson(value) : compactJson(value)}\n`);
}

const uriOf = (x) => (x && typeof x === "object" && !Array.isArray(x) ? (typeof x.$ref === "string" ? x.$ref : typeof x.$uri === "string" ? x.$uri : null) : null);
// In a table an object is shown by what a person reads it by.
const labelOf = (x) => x.name ?? x.email ?? x.filename ?? uriOf(x).split("/").pop();

/** A cell as text: objects and references by their URI (`readable`: by name), others as JSON. */
export function cellText(v, { readable = false } = {}) {
  if (v === null || v === undefined) return "";
  if (uriOf(v)) return readable ? String(labelOf(v)) : uriOf(v);
  if (Array.isArray(v) && v.length && v.every(uriOf)) return v.map((x) => (readable ? String(labelOf(x)) : uriOf(x))).join(readable ? ", " : " ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function csvField(s) {
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells) {
  return `${cells.map((c) => csvField(cellText(c))).join(",")}\r\n`;
}

/** Columns of a listing: the given ones first, then every other top-level field, in order seen. */
export function columnsOf(items, preferred = []) {
  const seen = new Set(preferred);
  const cols = [...preferred];
  for (const it of items) for (const k of Object.keys(it)) if (!seen.has(k)) { seen.add(k); cols.push(k); }
  return cols;
}

/** A fixed-width table that fits the terminal: columns are dropped from the right if needed. */
export function tableText(items, columns, width = process.stdout.columns || 120) {
  const rows = items.map((it) => columns.map((c) => cellText(c === "id" ? idOf(it) : it[c], { readable: true }).replace(/\s+/g, " ")));
  const widths = columns.map((c, i) => Math.min(40, Math.max(c.length, ...rows.map((r) => r[i].length))));
  let used = 0;
  let keep = 0;
  for (; keep < columns.length && used + widths[keep] + 2 <= width; keep++) used += widths[keep] + 2;
  keep = Math.max(keep, 1);
  const fit = (s, w) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (cells) => cells.slice(0, keep).map((s, i) => fit(s, widths[i])).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

export function idOf(obj) {
  const uri = obj?.$uri ?? obj?.field_uri;
  return typeof uri === "string" ? uri.split("/").pop() : "";
}
