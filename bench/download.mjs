// `node bench/download.mjs`: figures, not pass/fail. Downloads one ~50 MB and one ~200 MB sample
// from the local server to a file, with `ocx.samples.download(id, { path })` and with a bare
// fetch of the same link streamed into a file the same way (both start from the sample id: ask
// for the link, GET it, write every chunk). Each run is a fresh Node process so that its peak
// memory (maxRSS) is its own. Goal: ours ≥ 0.95× the bare fetch; peak memory flat in file size.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = path.resolve(path.dirname(self), "..");

if (process.argv[2] === "--child") {
  const [, , , contender, api, apiKey, id, out] = process.argv;
  const { OneCodex } = await import("onecodex-wasm");
  const rssBefore = process.memoryUsage().rss;
  let peakSampled = rssBefore;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  let bytes = 0;
  if (contender === "ours") {
    const ocx = new OneCodex({ apiKey, baseUrl: api });
    bytes = (await ocx.samples.download(id, { path: out })).bytes;
  } else {
    const auth = { authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}` };
    await fetch(`${api}/api/v1/samples/${id}?expand=all`, { headers: auth }).then((r) => r.arrayBuffer());
    const { download_uri } = await (await fetch(`${api}/api/v1/samples/${id}/download_uri`, { method: "POST", headers: auth })).json();
    const response = await fetch(download_uri);
    const fh = await fs.promises.open(out, "wx");
    for await (const chunk of response.body) {
      await fh.write(chunk);
      bytes += chunk.byteLength;
    }
    await fh.close();
  }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  console.log(JSON.stringify({ ms, bytes, rssBefore, peakSampled, maxRss: process.resourceUsage().maxRSS * 1024 }));
  process.exit(0);
}

const { startServer } = await import(path.join(root, "scripts", "server.mjs"));
const srv = await startServer(["--samples", "300"]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-bench-dl-"));
try {
  const { OneCodex } = await import("onecodex-wasm");
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const pick = async (lo, hi) => (await ocx.samples.where({ size: { $gte: lo, $lte: hi } }, { sort: "^size", limit: 1 }))[0];
  const picks = [await pick(45e6, 90e6), await pick(180e6, 400e6)];
  if (!picks[0] || !picks[1]) throw new Error("the seeded samples have none of ~50 MB or ~200 MB; change --samples");
  const mb = (b) => (b / 1e6).toFixed(1);
  console.log(`== download throughput and peak memory (local server, to a file; median of ${RUNS}, alternating)`);
  for (const s of picks) {
    const id = s.$uri.split("/").pop();
    const runs = { ours: [], bare: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const contender of i % 2 ? ["bare", "ours"] : ["ours", "bare"]) {
        const out = path.join(dir, `${contender}-${i}-${id}`);
        const line = execFileSync("node", [self, "--child", contender, srv.api, srv.apiKey, id, out], { cwd: root, encoding: "utf8" });
        runs[contender].push(JSON.parse(line.trim().split("\n").pop()));
        fs.rmSync(out, { force: true });
      }
    }
    const median = (xs, f) => xs.map(f).sort((a, b) => a - b)[xs.length >> 1];
    const rate = (r) => r.bytes / 1e6 / (r.ms / 1000);
    const ours = median(runs.ours, rate);
    const bare = median(runs.bare, rate);
    const extra = (r) => r.maxRss - r.rssBefore;
    const spread = (xs) => `${Math.min(...xs.map(rate)).toFixed(0)}–${Math.max(...xs.map(rate)).toFixed(0)}`;
    console.log(`${mb(s.size).padStart(7)} MB  ours ${ours.toFixed(0).padStart(5)} MB/s  bare fetch ${bare.toFixed(0).padStart(5)} MB/s  ratio ${(ours / bare).toFixed(2)}× (runs ${spread(runs.ours)} vs ${spread(runs.bare)} MB/s)` +
      `  peak RSS ours ${mb(median(runs.ours, (r) => r.maxRss))} MB (+${mb(median(runs.ours, extra))} over start), bare ${mb(median(runs.bare, (r) => r.maxRss))} MB (+${mb(median(runs.bare, extra))})`);
  }
} finally {
  await srv.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
