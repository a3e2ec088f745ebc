// Parity of the charts with the official Python client, end to end: the local server's samples,
// the Python client's `plot_*(return_chart=True).to_dict()` for each case of tests/parity/plots/
// (run by tests/python/plots_parity.py in the project venv) and the package's `plot*` with the
// same options in camelCase. The two specs are compared whole once normalised: dataset names
// mapped by where they are used, `$schema` left out; numbers within the case's tolerance
// (default 1e-9 relative, as the analyses' parity). Where Python raises, the package must throw
// `invalid_argument`. A case with `"structure": true` (a chart from a random start) compares
// everything but the numbers of its data rows and of its axis titles. Every spec of the package
// also compiles with vega-lite and renders to SVG with vega, with no warning from either but
// those a case lists in `render_warnings` (Python's spec gets them too: a boxplot without
// outliers has an empty layer). A case with `"free": "functional"` draws a free export of
// onecodex-wasm/tables from what Python reads: the functional matrix (`ocx.functionalMatrix`, the
// annotation and metric Python chose, of the samples in the order Python listed their profiles)
// and the collection's `metadataTable()`.
// PLOT_CASES=<file> runs one case file (e.g. PLOT_CASES=bargraph).
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync, execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { OneCodex } from "onecodex-wasm";
import * as tables from "onecodex-wasm/tables";
import { withServer } from "../js/support.mjs";
import { camel, difference, jsOptions, normalise, renderSvg, structure } from "./plots-support.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const methodName = (plot) => camel(plot); // plot_bargraph -> plotBargraph

test("the charts match the Python client's on the local server's samples", { timeout: 1_500_000 }, async (t) => {
  const srv = await withServer(t, ["--samples", "60"]);
  const python = execFileSync("bash", [path.join(root, "tests/python/setup_env.sh")], { encoding: "utf8" }).trim().split("\n").at(-1);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plots-parity-")), "python.json");
  t.after(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
  const only = process.env.PLOT_CASES ? ["--only", process.env.PLOT_CASES] : [];
  await promisify(execFile)(python, [path.join(root, "tests/python/plots_parity.py"), "--api", srv.api, "--out", out, ...only], {
    env: { ...process.env, HOME: path.dirname(out), ONE_CODEX_NO_TELEMETRY: "1" }, maxBuffer: 1 << 28, timeout: 1_200_000,
  });
  const py = JSON.parse(fs.readFileSync(out, "utf8"));
  assert.equal(py.onecodex, "1.2.0");
  assert.ok(py.cases.length > 0, "no cases");

  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const c = await ocx.collection(py.classification_ids);
  t.after(() => c.free());
  assert.deepEqual(c.classificationIds, py.classification_ids);

  // The first argument and extra options of each free export, or what fetching them threw.
  const freeInputs = {
    functional: async (cs) => {
      const metadata = c.metadataTable();
      const annotation = cs.kwargs?.annotation ?? "go";
      const metric = cs.kwargs?.metric ?? (annotation === "pathways" ? "abundance" : "cpm");
      const samples = cs.python.sample_order ?? metadata.rows.map((r) => r[metadata.columns.indexOf("sample_id")]);
      return [await ocx.functionalMatrix(samples, { annotation, metric, taxaStratified: false }), { metadata }];
    },
  };

  for (const cs of py.cases) {
    await t.test(`${cs.file}: ${cs.name}`, async () => {
      const opts = jsOptions(cs.kwargs ?? {});
      const name = methodName(cs.plot);
      const inputs = cs.free ? await freeInputs[cs.free](cs).catch((e) => e) : null;
      const call = cs.free
        ? () => {
          assert.equal(typeof tables[name], "function", `no export ${name}`);
          if (!Array.isArray(inputs)) throw inputs;
          return tables[name](inputs[0], { ...opts, ...inputs[1] });
        }
        : () => { assert.equal(typeof c[name], "function", `Collection.${name} is missing`); return c[name](opts); };
      if (cs.python.error) {
        assert.throws(call, (e) => e.code === "invalid_argument", `Python raised ${cs.python.error}`);
        return;
      }
      const got = call();
      assert.ok(Array.isArray(got.warnings), "warnings");
      const shape = cs.structure ? structure : (s) => s;
      const d = difference(shape(normalise(got.spec)), shape(normalise(cs.python.spec)), cs.tolerance ?? 1e-9);
      assert.equal(d, null, d ?? "");
      const svg = await renderSvg(got.spec, cs.render_warnings);
      assert.match(svg, /^<svg/);
    });
  }
});
