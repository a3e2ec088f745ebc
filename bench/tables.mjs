// `node bench/tables.mjs [N]` (also run by bench/run.mjs): N (default 200) classification results
// files from the local server's generator, into a genus matrix of
// normalized_readcount_w_children. Every contender starts from the same decompressed bytes
// (decompressed once, up front, with Python's zstandard) and runs in its own fresh process, so
// peak memory (max RSS above the process's baseline after imports) is its own:
//   ours        Collection.fromResults + toMatrix (wasm), and the same from the zstd bytes
//   js          an idiomatic pure-JS implementation (TextDecoder, JSON.parse, Maps) below
//   parse-only  bare TextDecoder + JSON.parse of the same bytes (no table at all)
//   pandas      json.loads + DataFrame + pivot (compute only, same bytes)
//   python e2e  the official client against the local server: Samples.where() + to_df(),
//               and ours end to end against the same server (ocx.collection + toMatrix)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.argv[2] ?? process.env.BENCH_TABLES_N ?? 200);
const REPEAT = 3;
const PY = process.env.ONECODEX_PYTHON ?? [path.join(root, ".cache/pyenv/bin/python"), "/work/main/.cache/pyenv/bin/python"].find((p) => fs.existsSync(p));
const dir = path.join(root, ".cache", `bench-tables-${N}`);

// --- worker mode: one contender in this process --------------------------------------------
if (process.argv[2] === "--worker") {
  const [, , , which, dataDir] = process.argv;
  const { OneCodex } = await import("onecodex-wasm");
  const { Collection } = await import("onecodex-wasm/tables");
  const files = which === "ours-e2e" ? [] : fs.readdirSync(dataDir).filter((f) => f.endsWith(which === "ours-zstd" ? ".json.zst" : ".json")).sort();
  const idOf = (f) => f.split("_")[1].split(".")[0];
  const inputs = files.map((f) => ({ id: idOf(f), bytes: fs.readFileSync(path.join(dataDir, f)) }));
  const inputBytes = inputs.reduce((s, x) => s + x.bytes.length, 0);
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => { const r = process.memoryUsage().rss; if (r > peak) peak = r; };
  const timer = setInterval(sample, 2);
  const times = [];
  let shape;
  for (let rep = 0; rep < REPEAT; rep++) {
    const t0 = performance.now();
    if (which === "ours" || which === "ours-zstd") {
      const c = Collection.fromResults(inputs.map((x) => ({ classificationId: x.id, bytes: x.bytes })));
      sample();
      const m = c.toMatrix({ rank: "genus", metric: "normalized_readcount_w_children" });
      shape = [m.rowIds.length, m.columnIds.length];
      c.free();
    } else if (which === "js") {
      const m = jsBaseline(inputs);
      shape = [m.rowIds.length, m.columnIds.length];
    } else if (which === "parse-only") {
      const dec = new TextDecoder();
      let rows = 0;
      for (const x of inputs) { const o = JSON.parse(dec.decode(x.bytes)); rows += o.table.length; sample(); }
      shape = [inputs.length, rows];
    } else if (which === "ours-e2e") {
      const [api, key] = dataDir.split(" ");
      const ocx = new OneCodex({ apiKey: key, baseUrl: api });
      const c = await ocx.collection(await ocx.samples.where(), { concurrency: 8 });
      const m = c.toMatrix({ rank: "genus", metric: "normalized_readcount_w_children" });
      shape = [m.rowIds.length, m.columnIds.length];
      c.free();
    }
    times.push(performance.now() - t0);
    sample();
  }
  clearInterval(timer);
  sample();
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ ms: times[0], median: times[REPEAT >> 1], peak: peak - base, inputBytes, shape }));
  process.exit(0);
}

/** The fair JS baseline: §9.4 for one metric and rank with Maps (host rows excluded, first-seen columns). */
function jsBaseline(inputs) {
  const dec = new TextDecoder();
  const taxRank = new Map();
  const perSample = [];
  for (const x of inputs) {
    const o = JSON.parse(dec.decode(x.bytes));
    const host = new Set(o.host_tax_ids ?? []);
    const values = new Map();
    for (const r of o.table) {
      if (host.has(r.tax_id)) continue;
      if (!taxRank.has(r.tax_id)) taxRank.set(r.tax_id, r.rank);
      values.set(r.tax_id, r.readcount_w_children ?? 0);
    }
    perSample.push(values);
  }
  const cols = [];
  for (const [t, rank] of taxRank) if (rank === "genus") cols.push(t);
  const nr = perSample.length, nc = cols.length;
  const values = new Float64Array(nr * nc);
  for (let r = 0; r < nr; r++) {
    let sum = 0;
    for (let c = 0; c < nc; c++) { const v = perSample[r].get(cols[c]) ?? 0; values[r * nc + c] = v; sum += v; }
    for (let c = 0; c < nc; c++) values[r * nc + c] = sum ? values[r * nc + c] / sum : 0;
  }
  const keep = cols.map((_, c) => { for (let r = 0; r < nr; r++) if (values[r * nc + c] !== 0) return true; return false; });
  const kept = cols.filter((_, c) => keep[c]);
  const out = new Float64Array(nr * kept.length);
  for (let r = 0, k; r < nr; r++) { k = 0; for (let c = 0; c < nc; c++) if (keep[c]) out[r * kept.length + k++] = values[r * nc + c]; }
  return { rowIds: inputs.map((x) => x.id), columnIds: kept, values: out };
}

// --- driver ---------------------------------------------------------------------------------
const { serverBinary, startServer } = await import("../scripts/server.mjs");
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;

if (!fs.existsSync(path.join(dir, ".ready"))) {
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync(serverBinary({ quiet: true }), ["--generate-results", String(N), dir], { stdio: "inherit" });
  if (!PY) throw new Error("no Python with zstandard found (.cache/pyenv); run tests/python/setup_env.sh");
  execFileSync(PY, ["-c", `import sys, os, zstandard
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if f.endswith(".json.zst"):
        open(os.path.join(d, f[:-4]), "wb").write(zstandard.ZstdDecompressor().decompress(open(os.path.join(d, f), "rb").read()))`, dir]);
  fs.writeFileSync(path.join(dir, ".ready"), "");
}

function worker(which, arg = dir) {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--worker", which, arg], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${which}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

function python(code, ...args) {
  const r = spawnSync(PY, ["-c", code, ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24, env: { ...process.env, ONE_CODEX_NO_TELEMETRY: "1" } });
  if (r.status !== 0) throw new Error(`python: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const PANDAS = `
import sys, os, json, time, resource, gc
import pandas as pd
d = sys.argv[1]
files = sorted(f for f in os.listdir(d) if f.endswith(".json"))
inputs = [(f.split("_")[1].split(".")[0], open(os.path.join(d, f), "rb").read()) for f in files]
gc.collect()
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
base = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
times = []
for rep in range(${REPEAT}):
    t0 = time.perf_counter()
    frames = []
    for cid, b in inputs:
        o = json.loads(b)
        df = pd.DataFrame(o["table"], columns=["tax_id", "rank", "readcount_w_children"])
        df = df[~df["tax_id"].isin(o.get("host_tax_ids") or [])]
        df["classification_id"] = cid
        frames.append(df)
    allrows = pd.concat(frames, ignore_index=True)
    g = allrows[allrows["rank"] == "genus"]
    m = g.pivot(index="classification_id", columns="tax_id", values="readcount_w_children").fillna(0)
    m = m.div(m.sum(axis=1), axis=0).fillna(0)
    m = m.loc[:, (m != 0).any(axis=0)]
    times.append((time.perf_counter() - t0) * 1000)
    del frames, allrows, g
times.sort()
print(json.dumps({"ms": times[0], "median": times[len(times)//2], "peak": rss() - base, "shape": list(m.shape)}))
`;

const PY_E2E = `
import sys, os, json, time, resource, warnings, tempfile
warnings.simplefilter("ignore")
os.environ["HOME"] = tempfile.mkdtemp()
from onecodex import Api
api = Api(base_url=sys.argv[1], api_key=sys.argv[2], telemetry=False)
t0 = time.perf_counter()
samples = api.Samples.where()
# The client memoises each classification's results: fetching them first splits the run into
# network (list + results) and compute (to_df on results in memory).
for s in samples:
    c = s.primary_classification
    if c is not None and c.success:
        c.results()
t1 = time.perf_counter()
df = samples.to_df(rank="genus", metric="normalized_readcount_w_children")
t2 = time.perf_counter()
print(json.dumps({"ms": (t2 - t0) * 1000, "fetch_ms": (t1 - t0) * 1000, "compute_ms": (t2 - t1) * 1000, "shape": list(df.shape), "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
`;

const row = (name, r, ref) => console.log(
  `${name.padEnd(34)} ${r.ms.toFixed(0).padStart(7)} ms ${ref ? `${(r.ms / ref.ms).toFixed(2).padStart(7)}×` : "        "} peak ${mb(r.peak).padStart(9)}  shape ${r.shape.join("×")}`);

console.log(`\n== tables: ${N} generated results files → genus × normalized_readcount_w_children (best of ${REPEAT}, each in a fresh process)`);
const ours = worker("ours");
const oursZ = worker("ours-zstd");
const js = worker("js");
const bare = worker("parse-only");
console.log(`decompressed input ${mb(ours.inputBytes)} (zstd ${mb(oursZ.inputBytes)}), ~${Math.round(bare.shape[1] / N)} rows per file`);
row("ours (wasm) from JSON bytes", ours);
row("ours (wasm) from zstd bytes", oursZ, ours);
row("pure JS (JSON.parse + Maps)", js, ours);
row("bare TextDecoder + JSON.parse", bare, ours);
let pandas;
if (PY) {
  pandas = python(PANDAS, dir);
  row("pandas (json.loads + pivot)", pandas, ours);
}
console.log(`ratios: ours/JSON.parse ${(ours.ms / bare.ms).toFixed(2)} (goal ≤ 1.0); JS/ours ${(js.ms / ours.ms).toFixed(2)}× (goal ≥ 1.5); ` +
  `${pandas ? `pandas/ours ${(pandas.ms / ours.ms).toFixed(1)}×; ` : ""}ours peak ${(ours.peak / ours.inputBytes).toFixed(2)}× input (goal ≤ 2)`);

if (PY && !process.env.BENCH_NO_E2E) {
  const srv = await startServer(["--samples", String(N)]);
  try {
    const e2eOurs = worker("ours-e2e", `${srv.api} ${srv.apiKey}`);
    const e2ePy = python(PY_E2E, srv.api, srv.apiKey);
    console.log(`\n== end to end against the local server (${N} samples: list, fetch every results file, matrix)`);
    row("ours: ocx.collection + toMatrix", e2eOurs);
    row("python client: Samples.where + to_df", e2ePy, e2eOurs);
    console.log(`python: list + fetch ${e2ePy.fetch_ms.toFixed(0)} ms, to_df on fetched results (compute only) ${e2ePy.compute_ms.toFixed(0)} ms ` +
      `(${(e2ePy.compute_ms / ours.ms).toFixed(1)}× ours from JSON bytes); python/ours end to end ${(e2ePy.ms / e2eOurs.ms).toFixed(1)}× (goal ≥ 20)`);
    console.log("(peak for Python end to end is its whole max RSS; the server generates every results file on demand, on the same cores)");
  } finally {
    await srv.stop();
  }
}
