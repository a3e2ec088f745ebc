// `node bench/cli.mjs`: the CLI against the Python CLI (onecodex 1.2.0, the test venv) on the
// same local server, side by side, each a fresh process measured by GNU time (wall, user + system
// CPU, peak RSS):
//   - `upload` of a pair of FASTQ files (BENCH_CLI_UPLOAD_MIB in total, default 1024: 1 GiB);
//   - `download samples` of 20 files (BENCH_CLI_DOWNLOAD_MIB each, default 25), selected by tag.
// Then peak RSS of our upload of a pair twice as big, to show it is flat in the input size.
//   - `scripts subset_reads` of a FASTQ file (BENCH_CLI_SUBSET_MIB, default 1024) uploaded to the
//     server (its read-level rows line up with the file), keeping the reads of one tax id.
// BENCH_CLI_PARTS=upload,download,subset picks the parts.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { startServer } from "../scripts/server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(root, "pkg", "cli", "onecodex.mjs");
const MiB = 1 << 20;
const UPLOAD_MIB = Number(process.env.BENCH_CLI_UPLOAD_MIB || 1024);
const DOWNLOAD_MIB = Number(process.env.BENCH_CLI_DOWNLOAD_MIB || 25);
const DOWNLOAD_FILES = 20;
const SUBSET_MIB = Number(process.env.BENCH_CLI_SUBSET_MIB || 1024);
const PARTS = new Set((process.env.BENCH_CLI_PARTS || "upload,download,subset").split(","));

function pythonCli() {
  const r = spawnSync("bash", [path.join(root, "tests", "python", "setup_env.sh")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tests/python/setup_env.sh failed: ${r.stderr}`);
  return path.join(path.dirname(r.stdout.trim()), "onecodex");
}

/** A FASTQ file of about `mib` MiB (records of 150 bases; content varies so nothing dedupes). */
function writeFastq(file, mib) {
  const fd = fs.openSync(file, "w");
  const bases = "ACGT";
  let x = mib * 7919;
  const block = [];
  for (let i = 0; i < 256; i++) {
    let seq = "";
    for (let j = 0; j < 150; j++) { x = (x * 1103515245 + 12345) & 0x7fffffff; seq += bases[x % 4]; }
    block.push(`@read_${i}\n${seq}\n+\n${"F".repeat(150)}\n`);
  }
  const chunk = Buffer.from(block.join(""));
  for (let written = 0; written < mib * MiB; written += chunk.length) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return file;
}

/** One measured process: wall seconds, CPU seconds, peak RSS (MiB), exit status. */
function measure(cmd, args, env, cwd) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", cmd, ...args], { env, cwd, encoding: "utf8", maxBuffer: 64 * MiB });
  const last = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { wall: last[0], cpu: last[1] + last[2], rssMiB: last[3] / 1024, stdout: r.stdout };
}

function row(name, bytes, m) {
  return `${name.padEnd(24)} ${(bytes / MiB / m.wall).toFixed(1).padStart(7)} MiB/s  ${m.wall.toFixed(1).padStart(6)} s  CPU ${m.cpu.toFixed(1).padStart(5)} s  peak RSS ${m.rssMiB.toFixed(0).padStart(4)} MiB`;
}

export async function benchCli() {
  const py = pythonCli();
  const srv = await startServer(["--samples", "5"]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-bench-cli-"));
  try {
    const home = path.join(work, "home");
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, ".onecodex"), JSON.stringify({ api_key: srv.apiKey, saved_at: "2099-01-01 00:00", updated_at: null, email: "user@example.com" }));
    const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: path.join(home, ".cache"), ONE_CODEX_API_BASE: srv.api, AWS_ENDPOINT_URL_S3: srv.s3, ONE_CODEX_NO_TELEMETRY: "1" };

    if (PARTS.has("upload")) await benchUploads(work, env, py);
    if (PARTS.has("download")) await benchDownloads(work, env, py);
    if (PARTS.has("subset")) await benchSubset(work, env, py);
  } finally {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function benchUploads(work, env, py) {
  {
    console.log(`== CLI: upload of a ${UPLOAD_MIB} MiB pair (two files), each tool a fresh process`);
    const r1 = writeFastq(path.join(work, "bench_R1.fastq"), UPLOAD_MIB / 2);
    const r2 = writeFastq(path.join(work, "bench_R2.fastq"), UPLOAD_MIB / 2);
    const pairBytes = fs.statSync(r1).size + fs.statSync(r2).size;
    const ours = measure(process.execPath, [CLI, "upload", "--no-prompt", r1, r2], env);
    const theirs = measure(py, ["upload", "--no-prompt", r1, r2], env);
    console.log(row("onecodex-wasm upload", pairBytes, ours));
    console.log(row("Python onecodex upload", pairBytes, theirs));
    console.log(`ratio ${(theirs.wall / ours.wall).toFixed(2)}× wall, ${(theirs.cpu / ours.cpu).toFixed(2)}× CPU`);
    fs.rmSync(r1);
    fs.rmSync(r2);
    const b1 = writeFastq(path.join(work, "big_R1.fastq"), UPLOAD_MIB);
    const b2 = writeFastq(path.join(work, "big_R2.fastq"), UPLOAD_MIB);
    const big = measure(process.execPath, [CLI, "upload", "--no-prompt", b1, b2], env);
    console.log(row(`ours, ${UPLOAD_MIB * 2} MiB pair`, fs.statSync(b1).size * 2, big) + "  (memory flat in the input size)");
    fs.rmSync(b1);
    fs.rmSync(b2);
  }
}

async function benchDownloads(work, env, py) {
  {

    console.log(`\n== CLI: download samples of ${DOWNLOAD_FILES} files of ${DOWNLOAD_MIB} MiB (by tag)`);
    const files = [];
    for (let i = 0; i < DOWNLOAD_FILES; i++) files.push(writeFastq(path.join(work, `dl_${String(i).padStart(2, "0")}.fastq`), DOWNLOAD_MIB));
    const up = spawnSync(process.execPath, [CLI, "upload", "--no-prompt", "-t", "bench-download", ...files], { env, encoding: "utf8" });
    if (up.status !== 0) throw new Error(up.stderr);
    const dlBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    for (const f of files) fs.rmSync(f);
    const oursDl = measure(process.execPath, [CLI, "download", "samples", path.join(work, "ours"), "-t", "bench-download", "--no-prompt"], env);
    const theirsDl = measure(py, ["download", "samples", path.join(work, "theirs"), "-t", "bench-download", "--no-prompt"], env);
    console.log(row("onecodex-wasm download", dlBytes, oursDl));
    console.log(row("Python onecodex download", dlBytes, theirsDl));
    console.log(`ratio ${(theirsDl.wall / oursDl.wall).toFixed(2)}× wall, ${(theirsDl.cpu / oursDl.cpu).toFixed(2)}× CPU`);
    const same = fs.readdirSync(path.join(work, "ours")).sort().join() === fs.readdirSync(path.join(work, "theirs")).sort().join();
    console.log(`same ${fs.readdirSync(path.join(work, "ours")).length} files by name in both folders: ${same}`);
  }
}

async function benchSubset(work, env, py) {
  console.log(`\n== CLI: scripts subset_reads of a ${SUBSET_MIB} MiB FASTQ (one tax id kept)`);
  const file = writeFastq(path.join(work, "subset.fastq"), SUBSET_MIB);
  const up = spawnSync(process.execPath, [CLI, "--no-pretty-print", "upload", "--no-prompt", file], { env, encoding: "utf8" });
  if (up.status !== 0) throw new Error(up.stderr);
  const sample = JSON.parse(spawnSync(process.execPath, [CLI, "--no-pretty-print", "samples", up.stdout.trim()], { env, encoding: "utf8" }).stdout)[0];
  const cls = sample.primary_classification.$uri.split("/").pop();
  await new Promise((r) => setTimeout(r, 2500)); // the server completes a classification after 2 s
  // The read-level TSV once, shared by both runs (each looks for it in its working folder).
  const dirs = ["ours", "theirs"].map((d) => { const p = path.join(work, `subset-${d}`); fs.mkdirSync(p); return p; });
  const rl = spawnSync(process.execPath, [CLI, "classifications", cls, "--read-level", "--read-level-path", `${dirs[0]}/`], { env, encoding: "utf8" });
  if (rl.status !== 0) throw new Error(rl.stderr);
  const [tsvName] = fs.readdirSync(dirs[0]);
  fs.copyFileSync(path.join(dirs[0], tsvName), path.join(dirs[1], tsvName));
  const rows = zlib.gunzipSync(fs.readFileSync(path.join(dirs[0], tsvName))).toString().split("\n", 2000).slice(1, -1);
  const tax = rows[0].split("\t")[0];
  const bytes = fs.statSync(file).size;
  const oursS = measure(process.execPath, [CLI, "scripts", "subset_reads", cls, file, "-t", tax, "-o", dirs[0]], { ...env, PWD: dirs[0] }, dirs[0]);
  const theirsS = measure(py, ["scripts", "subset_reads", cls, file, "-t", tax, "-o", dirs[1]], env, dirs[1]);
  console.log(row("onecodex-wasm subset_reads", bytes, oursS));
  console.log(row("Python subset_reads", bytes, theirsS));
  console.log(`ratio ${(theirsS.wall / oursS.wall).toFixed(2)}× wall, ${(theirsS.cpu / oursS.cpu).toFixed(2)}× CPU`);
  const out = (d) => fs.readFileSync(path.join(d, "subset.filtered.fastq"));
  console.log(`the same output: ${out(dirs[0]).equals(out(dirs[1]))} (${(out(dirs[0]).length / MiB).toFixed(1)} MiB)`);
  fs.rmSync(file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchCli();
