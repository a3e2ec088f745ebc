// `matrix`: the CSV of a project's or some samples' classifications, checked against the Python
// client's `to_df` (test venv) on the same server: the same rows, columns and values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { cliEnv, idOf, ocx, pythonCli, tempHome, withServer } from "./support.mjs";

const skip = !pythonCli() && "no Python CLI in the test venv";

const TO_DF = `
import json, os, sys
from onecodex import Api
ocx = Api(base_url=os.environ["ONE_CODEX_API_BASE"], api_key=os.environ["ONE_CODEX_API_KEY"], telemetry=False)
ids, rank, metric, top = json.loads(sys.argv[1])
samples = ocx.Samples.where(id=ids) if False else [ocx.Samples.get(i) for i in ids]
from onecodex.models.collection import SampleCollection
df = SampleCollection(samples).to_df(rank=rank, metric=metric, top_n=top)
print(json.dumps({"rows": list(df.index), "columns": [str(c) for c in df.columns], "values": df.values.tolist()}))
`;

function parseCsv(text) {
  const [header, ...rows] = text.trimEnd().split("\r\n").map((l) => l.split(","));
  return { columns: header.slice(1), rows: rows.map((r) => r[0]), values: rows.map((r) => r.slice(1).map(Number)) };
}

test("matrix: the same table as the Python client's to_df", { skip }, async (t) => {
  const srv = await withServer(t, ["--samples", "12"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const samples = JSON.parse((await ocx(["--no-pretty-print", "samples", "--limit", "6"], { env })).stdout);
  const ids = samples.map(idOf);
  for (const [rank, metric, top] of [["genus", "abundance_w_children", 10], ["species", "readcount_w_children", 5]]) {
    const r = await ocx(["matrix", ...ids, "--rank", rank, "--metric", metric, "--top", String(top)], { env });
    assert.equal(r.status, 0, r.stderr);
    const ours = parseCsv(r.stdout);
    const py = spawnSync(path.join(path.dirname(pythonCli()), "python"), ["-c", TO_DF, JSON.stringify([ids, rank, metric, top])], { env: { ...env, ONE_CODEX_NO_TELEMETRY: "1" }, encoding: "utf8" });
    assert.equal(py.status, 0, py.stderr);
    const expected = JSON.parse(py.stdout);
    assert.deepEqual(ours.rows, expected.rows, `${rank}: rows`);
    assert.deepEqual(ours.columns, expected.columns, `${rank}: columns`);
    ours.values.forEach((row, i) => row.forEach((v, j) => {
      const e = expected.values[i][j];
      assert.ok(Math.abs(v - e) <= 1e-12 * Math.max(1, Math.abs(e)), `${rank} [${i}][${j}]: ${v} vs ${e}`);
    }));
  }
  const bad = await ocx(["matrix", ids[0], "--project", "x"], { env });
  assert.equal(bad.status, 2);
});
