// `node bench/plots.mjs` (also run by bench/run.mjs): spec building for 200 samples, matrix loaded,
// per plot: ours in Node (`plot*(options).spec`) against the Python client's
// `plot_*(return_chart=True).to_dict()` on the same collection (bench/plots_python.py in the
// project venv), side by side in one run. Each side makes one warm-up call per plot (both cache
// their matrices), then the median of 3. Figures, not gates; the goal is >= 10x per plot.
// plot_mds fits from a random start in Python as here, so its time includes the fit on both sides.
// Then the demo page in Chromium: the Plots panel draws a PCoA of the same samples, timed from
// the results being loaded in its worker to the chart on screen (goal: within 1 s).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../scripts/server.mjs";
import { demoPage, openPage } from "../tests/page/browser.mjs";
import { camel, jsOptions } from "../tests/parity/plots-support.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PY = process.env.ONECODEX_PYTHON ?? path.join(root, ".cache/pyenv/bin/python");
const N = Number(process.env.BENCH_PLOTS_SAMPLES ?? 200);

// One option set per plot, in Python's names (camelCased for ours).
const CASES = {
  bargraph: { plot: "plot_bargraph", kwargs: { rank: "genus", top_n: 10 } },
  "bargraph groupBy": { plot: "plot_bargraph", kwargs: { rank: "genus", group_by: "site" } },
  heatmap: { plot: "plot_heatmap", kwargs: { rank: "genus", top_n: 20 } },
  distance: { plot: "plot_distance", kwargs: { rank: "genus", metric: "readcount_w_children" } },
  pca: { plot: "plot_pca", kwargs: { rank: "genus", color: "site" } },
  pcoa: { plot: "plot_pcoa", kwargs: { rank: "genus", color: "site", metric: "readcount_w_children" } },
  mds: { plot: "plot_mds", kwargs: { rank: "genus", metric: "readcount_w_children" } },
  metadata: { plot: "plot_metadata", kwargs: { haxis: "site", vaxis: "shannon" } },
};

async function ours(api, apiKey) {
  const { OneCodex } = await import("onecodex-wasm");
  const ocx = new OneCodex({ apiKey, baseUrl: api });
  const samples = (await ocx.samples.where(null, { sort: "created_at" })).filter((s) => s.status === "available");
  const c = await ocx.collection(samples, { concurrency: 8 });
  const out = { n: c.classificationIds.length, calls: {} };
  for (const [name, { plot, kwargs }] of Object.entries(CASES)) {
    const method = camel(plot);
    if (typeof c[method] !== "function") {
      out.calls[name] = { error: `no Collection.${method}` };
      continue;
    }
    try {
      c[method](jsOptions(kwargs));
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        JSON.stringify(c[method](jsOptions(kwargs)).spec); // as Python's to_dict() ends in plain data
        times.push((performance.now() - t) / 1000);
      }
      times.sort((a, b) => a - b);
      out.calls[name] = { seconds: times[1] };
    } catch (e) {
      out.calls[name] = { error: String(e?.message ?? e).split("\n")[0] };
    }
  }
  c.free();
  return out;
}

function python(api) {
  const r = spawnSync(PY, [path.join(root, "bench/plots_python.py"), "--api", api], {
    cwd: root, encoding: "utf8", input: JSON.stringify(CASES), maxBuffer: 1 << 26, env: { ...process.env, ONE_CODEX_NO_TELEMETRY: "1" },
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || "").trim().split("\n").slice(-2).join(" ") };
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

const fmt = (x) => (x?.error ? "error" : x?.seconds === undefined ? "—" : x.seconds < 0.01 ? `${(x.seconds * 1000).toFixed(2)} ms` : `${(x.seconds * 1000).toFixed(0)} ms`);

// The panel's PCoA: load the samples of the filter, then draw; the page reports the build time
// and the time since the results loaded once the chart is drawn.
async function panelPcoa(srv) {
  const cleanups = [];
  try {
    const { browser, url } = await demoPage({ after: (f) => cleanups.push(f) }, srv);
    const { page } = await openPage(browser, url);
    await page.waitForSelector("body[data-connected=true]");
    await page.selectOption("#plot-source", "filter");
    await page.selectOption("#plot-kind", "pcoa");
    await page.selectOption("#plot-field", { index: 0 });
    const t0 = Date.now();
    await page.click("#plot-draw");
    await page.waitForFunction(() => document.body.dataset.plot === "pcoa" || document.body.dataset.plotError, null, { timeout: 300_000 });
    const status = await page.textContent("#plot-status");
    const error = await page.textContent("#plot-error");
    const samples = await page.getAttribute("body", "data-plot-samples");
    return { status, error, samples, total: (Date.now() - t0) / 1000 };
  } finally {
    for (const f of cleanups.reverse()) await f();
  }
}

export async function benchPlots() {
  console.log(`== charts: spec building, ${N} samples, matrix loaded: ours (Node) vs the Python client's plot_*(return_chart=True).to_dict()`);
  const srv = await startServer(["--samples", String(N)]);
  try {
    const o = await ours(srv.api, srv.apiKey);
    const p = python(srv.api);
    console.log(`${o.n} samples (Python: ${p.n ?? "?"})`);
    console.log(`${"plot".padEnd(20)}${"ours".padStart(11)}${"Python".padStart(11)}${"ratio".padStart(9)}`);
    for (const name of Object.keys(CASES)) {
      const a = o.calls[name];
      const b = p.calls?.[name];
      const ratio = a?.seconds && b?.seconds ? `${(b.seconds / a.seconds).toFixed(1)}×` : "";
      console.log(`${name.padEnd(20)}${fmt(a).padStart(11)}${fmt(b).padStart(11)}${ratio.padStart(9)}`);
    }
    for (const [side, r] of [["ours", o], ["Python", p]]) {
      if (r.error) console.log(`  ${side}: ${r.error}`);
      for (const [n, v] of Object.entries(r.calls ?? {})) if (v.error) console.log(`  ${side} ${n}: ${v.error}`);
    }
    try {
      const pcoa = await panelPcoa(srv);
      const since = pcoa.status.match(/([\d.]+) s after the results loaded/);
      console.log(`demo panel (Chromium), PCoA of ${pcoa.samples} samples: ${pcoa.error || pcoa.status} ` +
        `(load + draw ${pcoa.total.toFixed(1)} s; goal: drawn within 1 s of the results loading${since ? `: ${Number(since[1]) <= 1 ? "met" : "not met"}` : ""})`);
    } catch (e) {
      console.log(`demo panel (Chromium): ${e.message.split("\n")[0]}`);
    }
  } finally {
    await srv.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchPlots();
