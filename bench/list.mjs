// bench/list: listing 10,000 classifications (page style) and 10,000 samples (cursor style) from
// the local server with 50 ms added to every listing request, with our client and with the
// official Python client (onecodex 1.2.0) on the same server in the same run. Both must return
// the same ids in the same order. Prints times and the ratio (goal: ≥ 4× on classifications).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { OneCodex } from "onecodex-wasm";
import { startServer } from "../scripts/server.mjs";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const python = path.join(root, ".cache", "pyenv", "bin", "python");
const N = Number(process.env.BENCH_LIST_N ?? 10000);
const LATENCY_MS = 50;

const PY = `
import json, sys, time, warnings
warnings.simplefilter("ignore")
from onecodex import Api
ocx = Api(api_key=sys.argv[1], base_url=sys.argv[2], telemetry=False)
model = getattr(ocx, sys.argv[3])
t = time.perf_counter()
items = model.where()
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "ids": [i.id for i in items]}))
`;

async function python_(srv, model) {
  const { stdout } = await run(python, ["-c", PY, srv.apiKey, srv.api, model], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

async function ours(ocx, resource) {
  const t = performance.now();
  const items = await ocx[resource].where();
  return { seconds: (performance.now() - t) / 1000, ids: items.map((o) => o.$uri.split("/").pop()) };
}

export async function benchList() {
  const srv = await startServer(["--samples", String(N)]);
  try {
    const admin = (body) => fetch(`${srv.api}/__admin/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    for (const p of ["/api/v1/classifications", "/api/v1/samples"]) {
      await admin({ target: "api", method: "GET", path: p, latency: { ms: LATENCY_MS } });
    }
    const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
    console.log(`== bench/list: ${N} samples on the local server, +${LATENCY_MS} ms per listing request`);
    for (const [resource, model, style] of [["classifications", "Classifications", "page style"], ["samples", "Samples", "cursor style"]]) {
      const a = await ours(ocx, resource);
      const b = await python_(srv, model);
      const same = a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i]);
      console.log(`${resource} (${style}): onecodex-wasm ${a.seconds.toFixed(2)} s, Python onecodex 1.2.0 ${b.seconds.toFixed(2)} s, ` +
        `ratio ${(b.seconds / a.seconds).toFixed(1)}x; ${a.ids.length} ids, same ids in the same order: ${same}`);
      if (!same) process.exitCode = 1;
    }
  } finally {
    await srv.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchList();
