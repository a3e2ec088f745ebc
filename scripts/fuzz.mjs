// Fuzzes every results parser (fuzz/fuzz_targets/*.rs, cargo-fuzz + libFuzzer on nightly Rust):
// builds all targets once, replays each committed corpus (fuzz/corpus/<target>/), then fuzzes
// each target for N seconds from a scratch copy of its corpus, so the committed seeds never
// change. A crash, panic, timeout or out-of-memory fails the run with the reproducer's path.
//
//   node scripts/fuzz.mjs [--seconds N] [--only name,name]    (N defaults to 15)
//
// Needs the nightly toolchain and cargo-fuzz (scripts/bootstrap installs both). Without them
// the run is skipped with a message, except under CI=true where it fails.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const fuzzDir = path.join(root, "fuzz");
// Its own target dir, kept between runs so that builds are incremental; never the main
// workspace's (other flags and toolchain: they would evict each other's artefacts).
const targetDir = process.env.ONECODEX_FUZZ_TARGET_DIR || path.join(fuzzDir, "target");
const artifacts = path.join(fuzzDir, "artifacts");
const dict = path.join(fuzzDir, "fuzz.dict");
// Raw-byte targets get the dictionary of JSON keys and magic numbers; structured ones
// (`arbitrary` input) would only be confused by it.
const STRUCTURED = new Set(["taxonomy", "matrix", "biom", "ecology"]);

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const seconds = Number(arg("--seconds", "15"));
if (!(seconds >= 0)) throw new Error("--seconds needs a number");
const only = arg("--only", "").split(",").filter(Boolean);

function missing(what, fix) {
  const msg = `fuzz: ${what} is missing: ${fix}`;
  if (process.env.CI === "true") {
    console.error(`${msg} (required under CI=true)`);
    process.exit(1);
  }
  console.error(`${msg}. Fuzzing SKIPPED.`);
  process.exit(0);
}

const nightly = spawnSync("rustc", ["+nightly", "-vV"], { encoding: "utf8" });
if (nightly.status !== 0) missing("the nightly Rust toolchain", "rustup toolchain install nightly --profile minimal");
const host = /^host: (\S+)$/m.exec(nightly.stdout)[1];
if (spawnSync("cargo", ["+nightly", "fuzz", "--version"], { encoding: "utf8" }).status !== 0) {
  missing("cargo-fuzz", "cargo install cargo-fuzz --locked (or: bash scripts/bootstrap)");
}

const manifest = fs.readFileSync(path.join(fuzzDir, "Cargo.toml"), "utf8");
const targets = [...manifest.matchAll(/^\[\[bin\]\]\s*\nname = "([^"]+)"/gm)].map((m) => m[1]).filter((t) => !only.length || only.includes(t));
if (!targets.length) throw new Error(`no fuzz targets${only.length ? ` named ${only.join(", ")}` : ""}`);

// Run a command, its output into a log file (libFuzzer is chatty); resolves with the exit code.
function run(cmd, args, log, opts = {}) {
  return new Promise((resolve) => {
    const out = fs.openSync(log, "w");
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", out, out], ...opts });
    child.on("error", (e) => { fs.writeSync(out, String(e)); resolve(127); });
    child.on("exit", (code, signal) => { fs.closeSync(out); resolve(code ?? (signal ? 128 : 1)); });
  });
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "onecodex-fuzz-"));
const env = { ...process.env };
delete env.CARGO_TARGET_DIR;

// 1. Build every target once: release with debug assertions and overflow checks (cargo-fuzz's
// default). No sanitizer: the results code is safe Rust, and ASan would halve the executions.
let t0 = Date.now();
const buildLog = path.join(scratch, "build.log");
const built = await run("cargo", ["+nightly", "fuzz", "build", "--sanitizer", "none", "--target", host, "--target-dir", targetDir], buildLog, { env });
const buildSeconds = (Date.now() - t0) / 1000;
if (built !== 0) {
  console.error(fs.readFileSync(buildLog, "utf8").split("\n").slice(-40).join("\n"));
  console.error(`fuzz: build failed after ${buildSeconds.toFixed(1)} s`);
  process.exit(1);
}
console.log(`fuzz: built the targets in ${buildSeconds.toFixed(1)} s (${path.relative(root, targetDir) || targetDir})`);
const bin = (t) => path.join(targetDir, host, "release", t);

const stat = (log, key) => Number((new RegExp(`^stat::${key}:\\s+(\\d+)`, "m").exec(log) || [])[1] || 0);
// The reproducer libFuzzer wrote, if any ("Test unit written to <path>").
const reproducer = (log) => (/Test unit written to (\S+)/.exec(log) || [])[1];
const why = (log) =>
  (/panicked at [^\n]*\n[^\n]*/.exec(log) || /==\d+== ERROR: libFuzzer: [^\n]*/.exec(log) || /ERROR: [^\n]*/.exec(log) || ["see the log"])[0];

const results = [];
for (const t of targets) {
  const seeds = path.join(fuzzDir, "corpus", t);
  const seedCount = fs.existsSync(seeds) ? fs.readdirSync(seeds).length : 0;
  if (!seedCount) {
    results.push({ t, ok: false, line: `${t}: no committed corpus in fuzz/corpus/${t}` });
    continue;
  }
  const crashDir = path.join(artifacts, t);
  fs.mkdirSync(crashDir, { recursive: true });
  const common = [`-artifact_prefix=${crashDir}/`, "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"];
  if (!STRUCTURED.has(t)) common.push(`-dict=${dict}`);

  // 2. Replay: every committed input once, no mutation.
  t0 = Date.now();
  const replayLog = path.join(scratch, `${t}.replay.log`);
  const replayed = await run(bin(t), [...common, "-runs=0", seeds], replayLog);
  const replaySeconds = (Date.now() - t0) / 1000;
  if (replayed !== 0) {
    const log = fs.readFileSync(replayLog, "utf8");
    results.push({ t, ok: false, line: `${t}: replay of ${seedCount} seeds FAILED: ${why(log)}\n    reproducer: ${reproducer(log) || "?"}; log: ${replayLog}` });
    continue;
  }
  let line = `${t}: replayed ${seedCount} seeds in ${replaySeconds.toFixed(1)} s`;

  // 3. Fuzz from a scratch copy of the corpus: what it finds stays out of the repository.
  if (seconds > 0) {
    const work = path.join(scratch, t);
    fs.cpSync(seeds, work, { recursive: true });
    t0 = Date.now();
    const fuzzLog = path.join(scratch, `${t}.fuzz.log`);
    const code = await run(bin(t), [...common, `-max_total_time=${seconds}`, work], fuzzLog);
    const s = (Date.now() - t0) / 1000;
    const log = fs.readFileSync(fuzzLog, "utf8");
    const execs = stat(log, "number_of_executed_units");
    if (code !== 0) {
      results.push({ t, ok: false, line: `${line}; fuzzing FAILED after ${execs} execs in ${s.toFixed(1)} s: ${why(log)}\n    reproducer: ${reproducer(log) || "?"} (run it: ${path.relative(root, bin(t))} <file>); log: ${fuzzLog}` });
      continue;
    }
    const grown = fs.readdirSync(work).length;
    line += `; fuzzed ${s.toFixed(1)} s: ${execs} execs (${Math.round(execs / s)}/s), corpus ${seedCount} -> ${grown}, cov ${(/cov: (\d+)/.exec(log.split("\n").filter((l) => l.includes("cov:")).at(-1) || "") || [])[1] || "?"}`;
  }
  results.push({ t, ok: true, line });
}

for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.line}`);
const failed = results.filter((r) => !r.ok).length;
if (!failed) fs.rmSync(scratch, { recursive: true, force: true });
console.log(`fuzz: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
