// `node bench/ecology.mjs` (also run by bench/run.mjs): the analyses of a collection, ours in Node
// against the Python client's own calls on the same collection with its matrix already built
// (compute only, bench/ecology_python.py in the project venv), side by side in one run. Figures,
// not gates. Goals: UniFrac >= 20x the Python client and within 3x of the `unifrac` package
// (Striped UniFrac, C++; .cache/bench-unifrac, when it installs); every other call >= 10x; PCA also
// against ml-pca (npm, .cache/bench-npm) as the JS peer.
//
// 1. 200 samples from the local server, genus and species, every call.
// 2. Scaling (time, peak memory): 50, 200 and 1,000 samples for everything, Python beside it; 5,000
//    for distances, UniFrac and PCoA only, ours alone on generated results built directly into a
//    collection (the server's `--generate-results`, no server).
//
// BENCH_ECOLOGY_SIZES=50,200 limits the scaling run; BENCH_ECOLOGY_BIG=0 skips 5,000.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { startServer, serverBinary } from "../scripts/server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PY = process.env.ONECODEX_PYTHON ?? path.join(root, ".cache/pyenv/bin/python");
const UNIFRAC_PY = path.join(root, ".cache/bench-unifrac/bin/python");
const SIZES = (process.env.BENCH_ECOLOGY_SIZES ?? "50,200,1000").split(",").map(Number);
const BIG = process.env.BENCH_ECOLOGY_BIG === "0" ? 0 : 5000;
const METRIC = "readcount_w_children";

// The calls, by name, as the package exposes them (a missing method is reported, not hidden).
const CALLS = {
  "alpha.shannon": (c, rank) => c.alphaDiversity({ rank, metric: METRIC, diversityMetric: "shannon" }),
  "alpha.simpson": (c, rank) => c.alphaDiversity({ rank, metric: METRIC, diversityMetric: "simpson" }),
  "alpha.observed_taxa": (c, rank) => c.alphaDiversity({ rank, metric: METRIC, diversityMetric: "observed_taxa" }),
  ...Object.fromEntries(["braycurtis", "jaccard", "cityblock", "euclidean", "aitchison"].map((m) =>
    [`beta.${m}`, (c, rank) => c.betaDiversity({ rank, metric: METRIC, diversityMetric: m })])),
  "unifrac.weighted": (c, rank) => c.unifrac({ rank, metric: METRIC, weighted: true }),
  "unifrac.unweighted": (c, rank) => c.unifrac({ rank, metric: METRIC, weighted: false }),
  pcoa: (c, rank) => c.pcoa({ rank, metric: METRIC, diversityMetric: "braycurtis" }),
  pca: (c, rank) => c.pca({ rank, metric: METRIC }),
  mds: (c, rank) => c.mds({ rank, metric: METRIC, diversityMetric: "braycurtis" }),
  linkage: async (c, rank) => (await import("onecodex-wasm/tables")).linkage(
    c.betaDiversity({ rank, metric: METRIC, diversityMetric: "braycurtis" }), { method: "average" }),
  alphaStats: (c, rank) => c.alphaDiversityStats({ groupBy: "site", rank, metric: METRIC }),
  betaStats: (c, rank) => c.betaDiversityStats({ groupBy: "site", rank, metric: METRIC, numPermutations: 999 }),
};
const BIG_CALLS = ["beta.braycurtis", "beta.jaccard", "beta.cityblock", "beta.euclidean", "beta.aitchison", "unifrac.weighted", "unifrac.unweighted", "pcoa"];

// --- worker mode: one size, ours, in a fresh process (so peak RSS is the calls' own) ----------
if (process.argv[2] === "--worker") {
  const [, , , source, rank, only] = process.argv;
  const { OneCodex } = await import("onecodex-wasm");
  const { Collection } = await import("onecodex-wasm/tables");
  let c;
  if (source.startsWith("http")) {
    const [api, key] = source.split(" ");
    const ocx = new OneCodex({ apiKey: key, baseUrl: api });
    c = await ocx.collection((await ocx.samples.where()).filter((s) => s.status === "available"), { concurrency: 8 });
  } else {
    const files = fs.readdirSync(source).filter((f) => f.endsWith(".json.zst")).sort();
    c = Collection.fromResults(files.map((f) => ({ classificationId: f.split("_")[1].split(".")[0], bytes: fs.readFileSync(path.join(source, f)) })));
  }
  c.toMatrix({ rank, metric: METRIC }); // the matrix, built once (as on the Python side)
  const out = { n: c.length ?? c.classificationIds.length, calls: {} };
  for (const [name, fn] of Object.entries(CALLS)) {
    if (only && !only.split(",").includes(name)) continue;
    try {
      globalThis.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 2);
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const r = await fn(c, rank);
        times.push((performance.now() - t) / 1000);
        r?.free?.();
        if (times[0] > 5) break;
      }
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      times.sort((a, b) => a - b);
      out.calls[name] = { seconds: times[times.length >> 1], peak_mb: (peak - base) / 2 ** 20 };
    } catch (e) {
      out.calls[name] = { error: String(e?.message ?? e).split("\n")[0] };
    }
  }
  // ml-pca, the JS peer for PCA, on the same matrix.
  const mlPath = path.join(root, ".cache/bench-npm/node_modules/ml-pca");
  if ((!only || only.split(",").includes("pca")) && fs.existsSync(mlPath)) {
    const { PCA } = createRequire(import.meta.url)(mlPath);
    const m = c.toMatrix({ rank, metric: METRIC });
    const k = m.columnIds.length;
    const rows = Array.from({ length: m.rowIds.length }, (_, i) => Array.from(m.values.subarray(i * k, i * k + k)));
    const t = performance.now();
    new PCA(rows, { center: true, scale: false }).predict(rows);
    out.calls["pca (ml-pca)"] = { seconds: (performance.now() - t) / 1000 };
  }
  c.free();
  console.log(JSON.stringify(out));
  process.exit(0);
}

function ours(source, rank, only = "") {
  const r = spawnSync("node", ["--expose-gc", fileURLToPath(import.meta.url), "--worker", source, rank, only], {
    cwd: root, encoding: "utf8", maxBuffer: 1 << 26,
  });
  if (r.status !== 0) return { error: (r.stderr || "").trim().split("\n").slice(-3).join(" ") };
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

// Python's slowest calls grow with n² (UniFrac calls a Python function per pair): at a size
// beyond 200, a call whose time at 200 samples projects past PYTHON_CAP_S is not run, and the
// table says so with the projection.
const PYTHON_CAP_S = Number(process.env.BENCH_ECOLOGY_PYTHON_CAP_S ?? 300);

function python(api, rank, only = "") {
  if (!fs.existsSync(PY)) return { error: `no Python venv at ${PY} (tests/python/setup_env.sh)` };
  const r = spawnSync(PY, [path.join(root, "bench/ecology_python.py"), "--api", api, "--rank", rank, "--metric", METRIC, ...(only ? ["--only", only] : [])], {
    cwd: root, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ONE_CODEX_NO_TELEMETRY: "1" },
  });
  if (r.status !== 0) return { error: (r.stderr || "").trim().split("\n").slice(-2).join(" ") };
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

/** The `unifrac` package (Striped UniFrac) on the server's collection, when it installed
 * (bench/setup.sh); else why not. */
function stripedUnifrac(api, rank) {
  if (!fs.existsSync(UNIFRAC_PY)) {
    const failed = path.join(root, ".cache/bench-unifrac.failed");
    return { error: fs.existsSync(failed) ? fs.readFileSync(failed, "utf8").trim() : "not installed (bench/setup.sh)" };
  }
  const r = spawnSync(PY, [path.join(root, "bench/ecology_unifrac.py"), "--api", api, "--rank", rank, "--unifrac-python", UNIFRAC_PY], {
    cwd: root, encoding: "utf8", maxBuffer: 1 << 26,
  });
  if (r.status !== 0) return { error: (r.stderr || "").trim().split("\n").slice(-2).join(" ") };
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

const fmt = (x) => (x?.error ? "error" : x?.seconds === undefined ? "—" : x.seconds < 0.01 ? `${(x.seconds * 1000).toFixed(2)} ms` : x.seconds < 10 ? `${(x.seconds * 1000).toFixed(0)} ms` : `${x.seconds.toFixed(1)} s`);
const mem = (x) => (x?.peak_mb === undefined ? "" : `${x.peak_mb.toFixed(0)} MB`);
const ratio = (o, p) => (o?.seconds && p?.seconds ? `${(p.seconds / o.seconds).toFixed(1)}×` : "");

function table(title, o, p, extra = {}) {
  console.log(`\n${title}`);
  console.log(`${"call".padEnd(22)}${"ours".padStart(11)}${"mem".padStart(8)}${"Python".padStart(11)}${"mem".padStart(8)}${"ratio".padStart(9)}`);
  const names = [...new Set([...Object.keys(o.calls ?? {}), ...Object.keys(p.calls ?? {}), ...Object.keys(extra)])];
  for (const n of names) {
    const a = o.calls?.[n] ?? extra[n];
    const b = p.calls?.[n];
    console.log(`${n.padEnd(22)}${fmt(a).padStart(11)}${mem(a).padStart(8)}${fmt(b).padStart(11)}${mem(b).padStart(8)}${ratio(a, b).padStart(9)}`);
  }
  const errors = [...Object.entries(o.calls ?? {}), ...Object.entries(p.calls ?? {}), ...Object.entries(extra)].filter(([, v]) => v?.error);
  for (const [n, v] of errors) console.log(`  ${n}: ${v.error}`);
  if (o.error) console.log(`  ours: ${o.error}`);
  if (p.error) console.log(`  Python: ${p.error}`);
}

export async function benchEcology() {
  console.log("== analyses of a collection: ours (Node) vs the Python client's own calls, compute only");
  let python200 = null; // Python's genus calls at 200 samples, for the projections beyond
  for (const n of [...new Set([200, ...SIZES])].sort((a, b) => a - b)) {
    const srv = await startServer(["--samples", String(n)]);
    try {
      const source = `${srv.api} ${srv.apiKey}`;
      for (const rank of n === 200 ? ["genus", "species"] : ["genus"]) {
        const o = ours(source, rank);
        const projected = {};
        if (n > 200 && python200) {
          for (const [name, v] of Object.entries(python200)) {
            const est = (v.seconds ?? 0) * (n / 200) ** 2;
            if (est > PYTHON_CAP_S) projected[name] = { error: `not run: ~${est.toFixed(0)} s projected (n² from 200 samples)` };
          }
        }
        const runnable = Object.keys(CALLS).filter((name) => !projected[name]);
        const p = python(srv.api, rank, Object.keys(projected).length ? runnable.join(",") : "");
        p.calls = { ...(p.calls ?? {}), ...projected };
        if (n === 200 && rank === "genus") python200 = p.calls;
        const extra = {};
        if (n === 200) {
          const s = stripedUnifrac(srv.api, rank);
          Object.assign(extra, s.calls ?? { "unifrac (Striped)": s });
        }
        table(`-- ${o.n ?? p.n ?? n} samples, ${rank} (${METRIC})`, o, p, extra);
      }
    } finally {
      await srv.stop();
    }
  }
  if (BIG) {
    const dir = path.join(root, ".cache", `bench-ecology-${BIG}`);
    if (!fs.existsSync(dir) || fs.readdirSync(dir).length < BIG) {
      execFileSync(serverBinary({ quiet: true }), ["--generate-results", String(BIG), dir], { stdio: "ignore" });
    }
    const o = ours(dir, "genus", BIG_CALLS.join(","));
    table(`-- ${BIG} generated samples, genus, ours only (distances, UniFrac, PCoA)`, o, { calls: {} });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchEcology();
