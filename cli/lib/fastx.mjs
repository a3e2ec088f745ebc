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

/** Lines of a byte stream in batches (one per chunk read), each line a view of the chunk. */
export async function* lineBatches(stream) {
  let carry = null;
  for await (const chunk of stream) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const lines = [];
    let start = 0;
    for (let nl = buf.indexOf(NL); nl >= 0; nl = buf.indexOf(NL, start)) {
      lines.push(buf.subarray(start, nl + 1));
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : null;
    if (lines.length) yield lines;
  }
  if (carry?.length) yield [carry];
}

/**
 * Items of an async iterator of arrays, taken one at a time without a promise per item:
 * `ready()` says whether one is buffered, `await fill()` reads the next array, `take()` gives it.
 */
export class Puller {
  constructor(iterable) {
    this.it = iterable[Symbol.asyncIterator]();
    this.items = [];
    this.pos = 0;
    this.done = false;
  }
  ready() {
    return this.pos < this.items.length;
  }
  async fill() {
    while (!this.ready() && !this.done) {
      const step = await this.it.next();
      if (step.done) this.done = true;
      else { this.items = step.value; this.pos = 0; }
    }
    return this.ready();
  }
  take() {
    return this.items[this.pos++];
  }
}

/** FASTQ records in batches; a record is its 4 lines (views of the file's bytes). */
export async function* fastqBatches(file, { validate = false } = {}) {
  let pending = [];
  let idx = 0;
  for await (const lines of lineBatches(openInput(file))) {
    const out = [];
    for (const l of lines) {
      pending.push(l);
      idx++;
      if (pending.length < 4) continue;
      if (pending[0][0] !== 0x40) throw new CliError("invalid_file", `FASTQ record line ${idx - 3} does not start with @`);
      if (validate && (pending[2][0] !== 0x2b || trimmed(pending[1]).length !== trimmed(pending[3]).length)) {
        throw new CliError("invalid_file", `FASTQ record at line ${idx - 3} is not valid (a '+' line and as many quality scores as bases are needed)`);
      }
      out.push(pending);
      pending = [];
    }
    if (out.length) yield out;
  }
}

/** FASTA records in batches: a `>` line and the sequence lines after it. */
export async function* fastaBatches(file) {
  let rec = null;
  for await (const lines of lineBatches(openInput(file))) {
    const out = [];
    for (const l of lines) {
      if (l[0] === 0x3e) {
        if (rec) out.push(rec);
        rec = [l];
      } else if (rec) {
        rec.push(l);
      } else if (l.toString("latin1").trim()) {
        throw new CliError("invalid_file", `${file}: a FASTA file must start with '>'`);
      }
    }
    if (out.length) yield out;
  }
  if (rec) yield [rec];
}

const trimmed = (b) => b.toString("latin1").replace(/\r?\n$/, "");
