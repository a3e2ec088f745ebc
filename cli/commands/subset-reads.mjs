// `scripts subset_reads`: the records of a FASTX file (optionally paired) whose read-level
// result is one of the given tax ids, walking the file and the read-level TSV together as the
// Python script does: the same options, output names, messages and checks.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { once } from "node:events";
import { CliError, UsageError } from "../lib/errors.mjs";
import { fastaBatches, fastqBatches, lineBatches, Puller } from "../lib/fastx.mjs";
import { progress } from "../lib/progress.mjs";

const COMPRESSED = [".gz", ".gzip", ".bz", ".bzip", ".bz2", ".bzip2"];

/** Python's get_filtered_filename: `<name>.filtered<ext>`, `.gz` added for gzip output. */
export function filteredFilename(file, gzipOutput) {
  let name = path.basename(file);
  let ext = path.extname(name);
  name = name.slice(0, name.length - ext.length);
  if (COMPRESSED.includes(ext)) {
    ext = path.extname(name);
    name = name.slice(0, name.length - ext.length);
  }
  let out = `${name}.filtered${ext}`;
  if (gzipOutput && !out.endsWith(".gz")) out += ".gz";
  return { out, ext };
}

/** Every tax id under the given ones in the classification's results (the ids included). */
export function withChildren(table, taxIds) {
  const children = new Map();
  for (const row of table) {
    if (row.parent_tax_id === null || row.parent_tax_id === undefined || row.tax_id === null || row.tax_id === undefined) continue;
    const p = String(row.parent_tax_id);
    if (!children.has(p)) children.set(p, new Set());
    children.get(p).add(String(row.tax_id));
  }
  const out = new Set();
  const stack = [...taxIds];
  while (stack.length) {
    const t = stack.pop();
    if (out.has(t)) continue;
    out.add(t);
    for (const c of children.get(t) ?? []) stack.push(c);
  }
  return out;
}

function writer(file, gzip, level) {
  const sink = fs.createWriteStream(file);
  const head = gzip ? zlib.createGzip({ level }) : sink;
  if (gzip) head.pipe(sink);
  return {
    async write(b) { if (!head.write(b)) await once(head, "drain"); },
    async close() { const done = once(sink, "finish"); head.end(); await done; },
  };
}

async function countLines(file) {
  let n = 0;
  for await (const chunk of fs.createReadStream(file).pipe(zlib.createGunzip())) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

export const subsetReads = {
  name: "subset_reads",
  help: "Subset a FASTX file based on the taxonomic results from a CLASSIFICATION_ID. By default, reads (or pairs or reads) matching the given taxonomic ID are written to the path provided, ignoring low confidence taxonomic assignments.",
  options: {
    "tax-id": { type: "string", short: "t", multiple: true, metavar: "TEXT", help: "Subset reads mapping to tax IDs. May be passed multiple times.  [required]" },
    reverse: { type: "string", short: "r", metavar: "PATH", help: "The reverse (R2) read file, optionally." },
    validate: { type: "boolean", default: false, help: "By default, skip validation of FASTQ records (which is slow). Enable if you are uncertain you are working with a valid FASTQ file" },
    "do-not-validate": { type: "boolean", help: "Skip validation of FASTQ records (the default)." },
    "with-children": { type: "boolean", help: "Match child taxa of those given with -t (e.g., all strains of E. coli)" },
    "subset-pairs-independently": { type: "boolean", help: "By default, if either read in a pair matches, both will be retained in the subset file. With this option, R1 and R2 files will be evaluated independently. Note that the subset output FASTQs are *not* guaranteed to have the same number of reads!" },
    "exclude-reads": { type: "boolean", help: "By default, matching reads are kept. Choose this option to instead output reads that do *not* match." },
    "include-lowconf": { type: "boolean", help: "By default, reads with low confidence taxonomic assignments are ignored. Choose this option to include them." },
    "gzip-output": { type: "boolean", help: "Compress output using gzip." },
    "gzip-output-compresslevel": { type: "string", default: 9, metavar: "INTEGER", parse: (v) => { const n = Number(v); if (!Number.isInteger(n) || n < 0 || n > 9) throw new Error(`'${v}' is not a valid integer.`); return n; }, help: "Sets gzip compresslevel if --gzip-output is on." },
    out: { type: "string", short: "o", default: ".", metavar: "DIRECTORY", help: "Directory where output file(s) will be saved." },
  },
  args: [{ name: "CLASSIFICATION_ID", key: "id", required: true }, { name: "FASTX", key: "fastx", required: true }],
  async run(ctx, o, { id, fastx }) {
    if (!fs.existsSync(o.out) || !fs.statSync(o.out).isDirectory()) throw new UsageError(`Invalid value for '-o' / '--out': Directory '${o.out}' does not exist.`);
    if (!o["tax-id"].length) throw new UsageError("Missing option '-t' / '--tax-id'.");
    const validate = o.validate && !o["do-not-validate"];
    const api = await ctx.api();
    const classification = await api.classifications.get(id).catch((e) => (e?.status === 404 || e?.code === "invalid_argument" ? null : Promise.reject(e)));
    if (!classification) throw new CliError("not_found", `Classification ${id} not found.`);

    let taxIds = new Set(o["tax-id"]);
    if (o["with-children"]) taxIds = withChildren((await api.classifications.results(id)).table ?? [], [...taxIds]);

    const url = await api.classifications.readlevelUrl(id);
    const readlevel = path.join(".", decodeURIComponent(new URL(url).pathname.split("/").pop() || `${id}.tsv.gz`));
    if (!fs.existsSync(readlevel)) await api.classifications.downloadReadlevel(id, { path: readlevel });
    else ctx.log(`Using cached read-level results: ${readlevel}`);

    let rows = (await countLines(readlevel)) - 1;
    if (o.reverse) {
      if (rows % 2 !== 0) throw new CliError("invalid_file", "Classification results cannot have odd number of records if using --reverse/-r");
      rows /= 2;
    }
    const gz = o["gzip-output"];
    const { out: fwdName, ext } = filteredFilename(fastx, gz);
    const fwdOut = path.join(o.out, fwdName);
    const revOut = o.reverse ? path.join(o.out, filteredFilename(o.reverse, gz).out) : null;
    let batches;
    if ([".fa", ".fna", ".fasta"].includes(ext)) batches = fastaBatches;
    else if ([".fq", ".fastq"].includes(ext)) batches = (f) => fastqBatches(f, { validate });
    else throw new CliError("invalid_argument", `${fastx}: extension must be one of .fa, .fna, .fasta, .fq, .fastq`);
    ctx.log(`Saving subsetted reads: ${fwdOut}${revOut ? ` and ${revOut}` : ""}`);

    // The TSV's rows as (tax id, passed filter), read in batches alongside the records.
    const tsvLines = lineBatches(fs.createReadStream(readlevel).pipe(zlib.createGunzip()));
    const rowsIt = tsvLines[Symbol.asyncIterator]();
    const first = await rowsIt.next();
    const headerLine = first.done ? Buffer.alloc(0) : first.value[0];
    const header = headerLine.toString("utf8").replace(/\n$/, "").split("\t");
    const taxCol = header.indexOf("Tax ID");
    if (taxCol < 0) throw new CliError("invalid_response", "The read-level results have no 'Tax ID' column");
    const pfCol = header.indexOf("Passed Filter");
    const lowconf = o["include-lowconf"];
    const exclude = o["exclude-reads"];
    // Python's four cases in one: a read counts when it passed the filter (or lowconf is
    // included) and its tax id is (or, excluding, is not) one of the wanted ones.
    // The cell `col` of a TSV line, found by its tabs (no split of the whole line).
    const cell = (line, col) => {
      let start = 0;
      for (let c = 0; c < col; c++) {
        const tab = line.indexOf(9, start);
        if (tab < 0) return "";
        start = tab + 1;
      }
      let end = line.indexOf(9, start);
      if (end < 0) end = line[line.length - 1] === 10 ? line.length - 1 : line.length;
      return line.toString("latin1", start, end);
    };
    const keepLine = (line) => {
      const ok = pfCol < 0 || cell(line, pfCol) === "T";
      if (!lowconf && !ok) return false;
      return exclude ? !taxIds.has(cell(line, taxCol)) : taxIds.has(cell(line, taxCol));
    };
    async function* rowBatches() {
      if (!first.done && first.value.length > 1) yield first.value.slice(1).map(keepLine);
      for (let step = await rowsIt.next(); !step.done; step = await rowsIt.next()) yield step.value.map(keepLine);
    }
    const rowsP = new Puller(rowBatches());
    const fwdP = new Puller(batches(fastx));
    const revP = o.reverse ? new Puller(batches(o.reverse)) : null;
    const tooMany = () => new CliError("invalid_file", "FASTX file(s) provided have more records than the classification results");

    const bar = progress(ctx, "Subsetting", rows, { unit: "count" });
    const fwd = writer(fwdOut, gz, o["gzip-output-compresslevel"]);
    const rev = revOut ? writer(revOut, gz, o["gzip-output-compresslevel"]) : null;
    let n = 0;
    try {
      const fwdParts = [];
      const revParts = [];
      const independent = o["subset-pairs-independently"];
      for (;;) {
        if (!fwdP.ready() && !(await fwdP.fill())) break;
        if (revP && !revP.ready() && !(await revP.fill())) break;
        // Every record ready now, without awaiting per record.
        while (fwdP.ready() && (!revP || revP.ready())) {
          const a = fwdP.take();
          const b = revP?.take();
          if (n === rows) throw tooMany();
          if (!rowsP.ready() && !(await rowsP.fill())) throw tooMany();
          const k1 = rowsP.take();
          if (!revP) {
            if (k1) fwdParts.push(...a);
          } else {
            if (!rowsP.ready() && !(await rowsP.fill())) throw tooMany();
            const k2 = rowsP.take();
            if (independent) {
              if (k1) fwdParts.push(...a);
              if (k2) revParts.push(...b);
            } else if (k1 || k2) {
              fwdParts.push(...a);
              revParts.push(...b);
            }
          }
          n++;
        }
        if (fwdParts.length) { await fwd.write(Buffer.concat(fwdParts)); fwdParts.length = 0; }
        if (revParts.length) { await rev.write(Buffer.concat(revParts)); revParts.length = 0; }
        bar.update(n, rows);
      }
    } finally {
      await fwd.close();
      await rev?.close();
    }
    // As Python counts: the index of the last record read must reach the last row.
    if (Math.max(n - 1, 0) < rows - 1) throw new CliError("invalid_file", "FASTX file(s) provided have fewer records than the classification results");
    bar.done();
  },
};
