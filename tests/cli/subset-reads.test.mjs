// `scripts subset_reads` against the Python script of the test venv, on a sample uploaded to the
// local server (whose read-level rows then line up with the file's records): the same output
// files byte for byte, single and paired, kept and excluded, gzip in and out; and the checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { cliEnv, idOf, ocx, python, pythonCli, tempHome, withServer, writeFastq } from "./support.mjs";

const skip = !pythonCli() && "no Python CLI in the test venv";

test("subset_reads: the Python script's output, byte for byte", { skip }, async (t) => {
  const srv = await withServer(t, ["--samples", "2", "--classify-delay-ms", "50"]);
  const home = tempHome(t);
  fs.writeFileSync(path.join(home, ".onecodex"), JSON.stringify({ api_key: srv.apiKey, saved_at: "2099-01-01 00:00", updated_at: null, email: "user@example.com" }));
  const env = cliEnv(home, srv);
  const r1 = writeFastq(path.join(home, "gut_R1.fastq"), 400, { seed: 21 });
  const r2 = writeFastq(path.join(home, "gut_R2.fastq"), 400, { seed: 22 });
  const solo = writeFastq(path.join(home, "solo.fastq"), 300, { seed: 24 });
  const clsOf = async (files) => {
    const up = await ocx(["upload", "--no-prompt", ...files], { env });
    assert.equal(up.status, 0, up.stderr);
    const [sample] = JSON.parse((await ocx(["samples", up.stdout.trim()], { env })).stdout);
    return idOf(sample.primary_classification);
  };
  const paired = await clsOf([r1, r2]);
  const single = await clsOf([solo]);
  await new Promise((r) => setTimeout(r, 300));

  // The two most frequent tax ids of the paired sample's read-level rows.
  const rlDir = path.join(home, "rl");
  assert.equal((await ocx(["classifications", paired, "--read-level", "--read-level-path", `${rlDir}/`], { env })).status, 0);
  const tsv = zlib.gunzipSync(fs.readFileSync(path.join(rlDir, fs.readdirSync(rlDir)[0]))).toString().trim().split("\n").slice(1);
  assert.equal(tsv.length, 800, "one row per read of the pair");
  const counts = new Map();
  for (const row of tsv) { const tax = row.split("\t")[0]; counts.set(tax, (counts.get(tax) ?? 0) + 1); }
  const [a, b] = [...counts].sort((x, y) => y[1] - x[1]).map(([k]) => k);

  const sologz = `${solo}.gz`;
  fs.writeFileSync(sologz, zlib.gzipSync(fs.readFileSync(solo)));
  const cases = [
    [single, solo, "-t", a, "--with-children"],
    [paired, r1, "-r", r2, "-t", a, "-t", b],
    [paired, r1, "-r", r2, "-t", a, "--subset-pairs-independently", "--include-lowconf"],
    [single, sologz, "-t", b, "--exclude-reads"],
    [paired, r1, "-r", r2, "-t", a, "--exclude-reads", "--gzip-output"],
  ];
  for (const [i, [cls, ...args]] of cases.entries()) {
    const dirs = ["py", "ours"].map((who) => { const d = path.join(home, `case${i}-${who}`); fs.mkdirSync(d); return d; });
    const py = await python(["scripts", "subset_reads", cls, ...args, "-o", dirs[0]], { env, cwd: dirs[0] });
    assert.equal(py.status, 0, py.stderr);
    const ours = await ocx(["scripts", "subset_reads", cls, ...args, "-o", dirs[1]], { env, cwd: dirs[1] });
    assert.equal(ours.status, 0, ours.stderr);
    const outputs = (d) => fs.readdirSync(d).filter((f) => f.includes(".filtered")).sort();
    assert.deepEqual(outputs(dirs[1]), outputs(dirs[0]), `case ${i}: the same files`);
    for (const f of outputs(dirs[0])) {
      const read = (d) => (f.endsWith(".gz") ? zlib.gunzipSync(fs.readFileSync(path.join(d, f))) : fs.readFileSync(path.join(d, f)));
      assert.deepEqual(read(dirs[1]), read(dirs[0]), `case ${i}: ${f}`);
    }
    assert.ok(outputs(dirs[0]).length >= 1);
  }

  // A file with fewer records than the results is refused, as by Python.
  const short = writeFastq(path.join(home, "short.fastq"), 10, { seed: 23 });
  const d = path.join(home, "short");
  fs.mkdirSync(d);
  const bad = await ocx(["scripts", "subset_reads", single, short, "-t", a, "-o", d], { env, cwd: d });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /fewer records than the classification results/);
  const ext = path.join(home, "reads.txt");
  fs.writeFileSync(ext, "x");
  const badExt = await ocx(["scripts", "subset_reads", single, ext, "-t", a, "-o", d], { env, cwd: d });
  assert.equal(badExt.status, 1);
  assert.match(badExt.stderr, /extension must be one of/);
});
