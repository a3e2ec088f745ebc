// FASTQ/FASTA records and TSV lines streamed from files, gzip'd (node:zlib), bzip2'd (the
// system `bzip2 -dc`, as no bz2 decoder ships with Node) or plain: a 20 GB file never sits in
// memory. Records are the file's own bytes, so what is written out is what was read.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { CliError } from "./errors.mjs";

const NL = 0x0a;

/** The decompressed byte stream of a file, by its extension (as the Python script decides). */
export function openInput(file) {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".gz" || ext === ".gzip") return fs.createReadStream(file).pipe(zlib.createGunzip());
  if ([".bz", ".bz2", ".bzip", ".bzip2"].includes(ext)) {
    const child = spawn("bzip2", ["-dc", file], { stdio: ["ignore", "pipe", "pipe"] });
    child.on("error", (e) => child.stdout.destroy(new CliError("unsupported", `bzip2 input needs the bzip2 program (${e.message})`)));
    child.on("exit", (code) => { if (code) child.stdout.destroy(new CliError("invalid_file", `${file}: bzip2 could not decompress it (exit ${code})`)); });
    return child.stdout;
  }
  return fs.createReadStream(file);
}

/** Lines (each with its `\n`, the last one as it ends) of a byte stream, one `next()` at a time. */
export class ByteLines {
  constructor(stream) {
    this.it = stream[Symbol.asyncIterator]();
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.ended = false;
  }
  async next() {
    for (;;) {
      const nl = this.buf.indexOf(NL, this.pos);
      if (nl >= 0) {
        const line = this.buf.subarray(this.pos, nl + 1);
        this.pos = nl + 1;
        return line;
      }
      if (this.ended) {
        if (this.pos < this.buf.length) { const rest = this.buf.subarray(this.pos); this.pos = this.buf.length; return rest; }
        return null;
      }
      const step = await this.it.next();
      if (step.done) { this.ended = true; continue; }
      this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), step.value]) : step.value;
      this.pos = 0;
    }
  }
}

/** FASTQ records (4 lines; the first must start with `@`), as the Python script's fast reader. */
export async function* fastqRecords(file, { validate = false } = {}) {
  const lines = new ByteLines(openInput(file));
  for (let idx = 0; ; ) {
    const rec = [];
    for (let i = 0; i < 4; i++) {
      const l = await lines.next();
      if (l === null) break;
      rec.push(l);
      idx++;
    }
    if (rec.length < 4) return; // a trailing partial record is dropped, as in Python
    if (rec[0][0] !== 0x40) throw new CliError("invalid_file", `FASTQ record line ${idx - 3} does not start with @`);
    if (validate && (rec[2][0] !== 0x2b || trimmed(rec[1]).length !== trimmed(rec[3]).length)) {
      throw new CliError("invalid_file", `FASTQ record at line ${idx - 3} is not valid (a '+' line and as many quality scores as bases are needed)`);
    }
    yield Buffer.concat(rec);
  }
}

const trimmed = (b) => b.toString("latin1").replace(/\r?\n$/, "");

/** FASTA records: a `>` line and the sequence lines after it, as they are in the file. */
export async function* fastaRecords(file) {
  const lines = new ByteLines(openInput(file));
  let rec = null;
  for (let l = await lines.next(); l !== null; l = await lines.next()) {
    if (l[0] === 0x3e) {
      if (rec) yield Buffer.concat(rec);
      rec = [l];
    } else if (rec) {
      rec.push(l);
    } else if (l.toString("latin1").trim()) {
      throw new CliError("invalid_file", `${file}: a FASTA file must start with '>'`);
    }
  }
  if (rec) yield Buffer.concat(rec);
}
