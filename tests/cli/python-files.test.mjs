// Against the Python CLI of the test venv: a sample uploaded by ours is downloaded by theirs
// byte-identical and the reverse; and the file grouping of `upload` (pairs, lanes, ONT) is the
// one the Python client's own helpers compute for the same names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import zlib from "node:zlib";
import path from "node:path";
import { cliEnv, ocx, python, pythonCli, tempHome, withServer, writeFastq } from "./support.mjs";
import { autoDetectPairs, concatenateMultilaneFiles, findOntGroups } from "../../cli/lib/inputs.mjs";
import { sizeText } from "../../cli/lib/table.mjs";

const skip = !pythonCli() && "no Python CLI in the test venv";

test("uploaded by one CLI, downloaded by the other, byte-identical", { skip }, async (t) => {
  const srv = await withServer(t, ["--samples", "2"]);
  const home = tempHome(t);
  fs.writeFileSync(path.join(home, ".onecodex"), JSON.stringify({ api_key: srv.apiKey, saved_at: "2099-01-01 00:00", updated_at: null, email: "user@example.com" }));
  const env = cliEnv(home, srv);
  const ours = writeFastq(path.join(home, "ours_reads.fastq"), 300, { seed: 11 });
  const up = await ocx(["upload", "--no-prompt", ours], { env });
  assert.equal(up.status, 0, up.stderr);
  const ourId = up.stdout.trim();
  const pyOut = path.join(home, "py-out");
  const pyDown = await python(["download", "samples", pyOut, "-s", ourId], { env });
  assert.equal(pyDown.status, 0, pyDown.stderr);
  assert.deepEqual(fs.readdirSync(pyOut), [`ours_reads_${ourId}.fastq`]);
  assert.deepEqual(fs.readFileSync(path.join(pyOut, fs.readdirSync(pyOut)[0])), fs.readFileSync(ours));

  const theirs = writeFastq(path.join(home, "theirs_reads.fastq"), 300, { seed: 12 });
  const pyUp = await python(["upload", "--no-prompt", theirs], { env });
  assert.equal(pyUp.status, 0, pyUp.stderr);
  const [sample] = JSON.parse((await ocx(["samples", "--where", JSON.stringify({ filename: "theirs_reads.fastq" })], { env })).stdout);
  assert.ok(sample, "the Python upload is listed");
  const out = path.join(home, "our-out");
  const down = await ocx(["download", "samples", out, "-s", sample.$uri.split("/").pop()], { env });
  assert.equal(down.status, 0, down.stderr);
  assert.deepEqual(fs.readdirSync(out), [`theirs_reads_${sample.$uri.split("/").pop()}.fastq`], "named as the Python client names it");
  assert.deepEqual(fs.readFileSync(path.join(out, fs.readdirSync(out)[0])), fs.readFileSync(theirs));
});

// Names that exercise every rule: R1/R2 and _1/_2 pairs, lanes of singles and of pairs, a gap in
// lanes, a lonely R2 lane, ONT splits with and without a gap, plain files.
const NAMES = [
  "a_R1.fastq", "a_R2.fastq", "b_1.fq.gz", "b_2.fq.gz", "c_R1_001.fastq", "lonely_R2.fastq",
  "s_S1_L001_R1_001.fastq", "s_S1_L002_R1_001.fastq", "s_S1_L001_R2_001.fastq", "s_S1_L002_R2_001.fastq",
  "u_L001.fastq", "u_L002.fastq", "g_L001.fq", "g_L003.fq",
  "ont_0.fastq", "ont_1.fastq", "ont_2.fastq", "gap_0.fastq", "gap_2.fastq", "plain.fastq",
];

const PY_HELPERS = `
import json, os, sys
from onecodex.input_helpers import auto_detect_pairs, _find_multilane_groups, _replace_filename_ordinal
files = json.loads(sys.argv[1])
pairs = auto_detect_pairs(files, prompt=False)
lanes = _find_multilane_groups(pairs)
ont = {}
import re
for f in files:
    if os.path.exists(_replace_filename_ordinal(f, "0", multi_digit=True)) and re.search(r"([._])\\d+([._][\\D._]+)$", f):
        ont.setdefault(os.path.basename(re.sub(r"[._]\\d+([._][\\D._]+)$", r"\\1", f)), []).append(f)
print(json.dumps({"pairs": [list(p) if isinstance(p, tuple) else p for p in pairs],
                  "lanes": [[list(e) if isinstance(e, tuple) else e for e in g] for g in lanes],
                  "ont": {k: sorted(v) for k, v in ont.items()}}))
`;

test("file grouping: the same pairs, lane groups and ONT groups as the Python client's helpers", { skip }, async (t) => {
  const home = tempHome(t);
  const dir = path.join(home, "reads");
  fs.mkdirSync(dir);
  const files = NAMES.map((n) => path.join(dir, n));
  for (const f of files) fs.writeFileSync(f, "@r\nA\n+\nI\n");
  const py = path.join(path.dirname(pythonCli()), "python");
  const r = spawnSync(py, ["-c", PY_HELPERS, JSON.stringify(files)], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout);

  const sortEntries = (list) => list.map((e) => JSON.stringify(e)).sort();
  const pairs = await autoDetectPairs(files, { prompt: false });
  assert.deepEqual(sortEntries(pairs), sortEntries(expected.pairs));

  const merged = await concatenateMultilaneFiles(pairs, { prompt: false });
  const ourLanes = merged.filter((e) => (Array.isArray(e) ? e[0].merged : e.merged)).map((e) => (Array.isArray(e) ? e[0].merged.map((p, i) => [p, e[1].merged[i]]) : e.merged));
  assert.deepEqual(sortEntries(ourLanes), sortEntries(expected.lanes));

  const ont = Object.fromEntries([...findOntGroups(files)].map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(ont, expected.ont);
});

test("table sizes as the Python CLI's _size_formatter writes them (ties to even included)", { skip }, () => {
  const py = path.join(path.dirname(pythonCli()), "python");
  const code = "import json, random\nfrom onecodex.cli import _size_formatter as f\nrandom.seed(7)\nxs = [random.randint(1, 5 * 10**9) for _ in range(2000)] + [random.randint(1, 10**6) for _ in range(2000)] + [125, 2125, 1125, 999999, 1000000, 10**9, 10**9 + 1]\nprint(json.dumps([[x, f(x)] for x in xs]))";
  const r = spawnSync(py, ["-c", code], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const bad = JSON.parse(r.stdout).filter(([x, s]) => sizeText(x) !== s);
  assert.deepEqual(bad, []);
});

test("scripts interleave: byte for byte the Python script's output (gzip in and out, CRLF, --strict)", { skip }, async (t) => {
  const home = tempHome(t);
  const env = cliEnv(home, null);
  let a = "";
  let b = "";
  for (let i = 0; i < 500; i++) {
    a += `@r${i} 1:N\nACGTAC\n+\nIIIIII\n`;
    b += `@r${i} 2:N\r\nTTGACA\r\n+\r\nJJJJJJ\r\n`;
  }
  const f1 = path.join(home, "x_R1.fq");
  const f2 = path.join(home, "x_R2.fq");
  fs.writeFileSync(f1, a);
  fs.writeFileSync(f2, b.slice(0, -2)); // the last line without its newline
  const f1gz = `${f1}.gz`;
  fs.writeFileSync(f1gz, zlib.gzipSync(a));
  const pyOut = path.join(home, "py.fq");
  const py = await python(["scripts", "interleave", f1gz, f2, pyOut, "--strict"], { env });
  assert.equal(py.status, 0, py.stderr);
  const ours = await ocx(["scripts", "interleave", f1gz, f2, path.join(home, "ours.fq"), "--strict"], { env });
  assert.equal(ours.status, 0, ours.stderr);
  assert.deepEqual(fs.readFileSync(path.join(home, "ours.fq")), fs.readFileSync(pyOut));
  const toStdout = await ocx(["scripts", "interleave", f1, f2], { env });
  assert.equal(toStdout.stdout, fs.readFileSync(pyOut, "utf8"));
  assert.equal((await ocx(["scripts", "interleave", f1, f2, path.join(home, "o.fq.gz")], { env })).status, 0);
  assert.deepEqual(zlib.gunzipSync(fs.readFileSync(path.join(home, "o.fq.gz"))), fs.readFileSync(pyOut));

  const other = path.join(home, "y_R2.fq");
  fs.writeFileSync(other, b.replace("@r3 ", "@q3 "));
  const strict = await ocx(["scripts", "interleave", f1, other, path.join(home, "s.fq"), "--strict"], { env });
  assert.equal(strict.status, 1);
  assert.match(strict.stderr, /do not share headers/);
  const short = path.join(home, "short.fq");
  fs.writeFileSync(short, a.split("\n").slice(0, 8).join("\n") + "\n");
  const len = await ocx(["scripts", "interleave", f1, short, path.join(home, "l.fq")], { env });
  assert.equal(len.status, 1, "a shorter second file is an error (Python writes records without mates)");
  assert.match(len.stderr, /do not match in length/);
  assert.equal((await ocx(["scripts", "interleave", short, f1, path.join(home, "l2.fq")], { env })).status, 1);
});

test("scripts export_functional_metric: byte for byte the Python script's CSV, long and wide", { skip }, async (t) => {
  const srv = await withServer(t, ["--samples", "60"]);
  const home = tempHome(t);
  fs.writeFileSync(path.join(home, ".onecodex"), JSON.stringify({ api_key: srv.apiKey, saved_at: "2099-01-01 00:00", updated_at: null, email: "user@example.com" }));
  const env = cliEnv(home, srv);
  // The project with the most functional runs, so the wide table has several run columns.
  const runs = JSON.parse((await ocx(["--no-pretty-print", "analyses", "--where", JSON.stringify({ analysis_type: "functional" })], { env })).stdout);
  const projects = new Map();
  for (const r of runs) {
    const p = r.sample?.project?.$ref;
    if (p) projects.set(p, (projects.get(p) ?? 0) + 1);
  }
  const [projectUri, count] = [...projects].sort((a, b) => b[1] - a[1])[0] ?? [];
  assert.ok(count >= 2, `a project with several functional runs (${count})`);
  const project = projectUri.split("/").pop();
  for (const args of [["-a", "pathways", "-m", "abundance"], ["-a", "go", "-m", "cpm", "--not-taxa-stratified"], ["-a", "pathways", "-m", "complete_abundance"]]) {
    for (const format of ["long", "wide"]) {
      const argv = ["scripts", "export_functional_metric", ...args, "-p", project, "--table-format", format];
      const pyFile = path.join(home, "py.csv");
      const ourFile = path.join(home, "ours.csv");
      const py = await python([...argv, "-o", pyFile], { env });
      assert.equal(py.status, 0, py.stderr);
      const ours = await ocx([...argv, "-o", ourFile], { env });
      assert.equal(ours.status, 0, ours.stderr);
      assert.match(ours.stderr, new RegExp(`Exported ${count} functional results`));
      assert.equal(fs.readFileSync(ourFile, "utf8"), fs.readFileSync(pyFile, "utf8"), argv.join(" "));
    }
  }
  const bad = await ocx(["scripts", "export_functional_metric", "-a", "pathways", "-m", "cpm", "-p", project], { env });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Metric: 'cpm' is not a valid metric for annotation: 'pathways'/);
  const neither = await ocx(["scripts", "export_functional_metric", "-a", "go", "-m", "cpm"], { env });
  assert.equal(neither.status, 1);
  assert.match(neither.stderr, /Either --project or --sample-ids needs to be provided/);
});
