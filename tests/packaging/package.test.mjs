// The package as a user gets it: `npm pack`, `npm publish --dry-run`, installed from the tarball
// into a fresh project, then used from Node ESM, Node CommonJS, an esbuild bundle and a plain page
// (both in headless Chromium).
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import { startStaticServer } from "../../scripts/serve.mjs";
import { launch, openPage, root, screenshot } from "../page/browser.mjs";

const EXPECTED = '{"filename": {"$iendswith": ".fastq.gz"}, "size": {"$in": [1, 2]}}';
const USE = `encodeWhere({ filename: { $iendswith: ".fastq.gz" }, size: [1, 2] })`;
// The tables entry (a second wasm module): a two-row results body parsed in wasm.
const ROW = (id, parent, name, rank, n) =>
  `{"tax_id": "${id}", "parent_tax_id": ${parent}, "name": "${name}", "rank": "${rank}", "readcount": ${n}, "readcount_w_children": ${n}, "abundance": null}`;
const RESULTS = `{"n_reads": 10, "table": [${ROW(1, "null", "root", "no rank", 10)}, ${ROW(2, '"1"', "Bacteria", "superkingdom", 4)}]}`;
const USE_TABLES = `parseClassificationResults(${JSON.stringify(RESULTS)}).column("readcount").join(",")`;
const TABLES_EXPECTED = "10,4";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "onecodex-wasm-pack-"));
const app = path.join(work, "app");
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

test.after(() => { if (!process.env.KEEP_PACK) fs.rmSync(work, { recursive: true, force: true }); });

test("npm pack and publish --dry-run", () => {
  const packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work], path.join(root, "pkg")));
  const files = packed[0].files.map((f) => f.path).sort();
  for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "index.d.ts", "index.d.cts",
    "node/index.cjs", "node/index.mjs", "node/onecodex_wasm_bg.wasm", "web/index.js", "web/slim.js", "web/onecodex_wasm_bg.wasm",
    "tables.d.ts", "tables.d.cts", "tables/node/index.cjs", "tables/node/index.mjs", "tables/node/onecodex_tables_bg.wasm",
    "tables/web/index.js", "tables/web/slim.js", "tables/web/onecodex_tables_bg.wasm"]) {
    assert.ok(files.includes(f), `${f} is in the tarball (${files.join(", ")})`);
  }
  const dry = execFileSync("npm", ["publish", "--dry-run"], { cwd: path.join(root, "pkg"), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  assert.match(dry, /\+ onecodex-wasm@\d+\.\d+\.\d+/);

  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  sh("npm", ["install", "--offline", "--no-audit", "--no-fund", path.join(work, packed[0].filename)], app);
  assert.ok(fs.existsSync(path.join(app, "node_modules", "onecodex-wasm", "web", "onecodex_wasm_bg.wasm")));
});

test("installed package works from Node ESM and CommonJS", () => {
  fs.writeFileSync(path.join(app, "esm.mjs"), `import { OneCodex, encodeWhere } from "onecodex-wasm";\n` +
    `import { parseClassificationResults } from "onecodex-wasm/tables";\n` +
    `new OneCodex({ apiKey: "k" });\nconsole.log(${USE});\nconsole.log(${USE_TABLES});\n`);
  fs.writeFileSync(path.join(app, "cjs.cjs"), `const { OneCodex, encodeWhere } = require("onecodex-wasm");\n` +
    `const { parseClassificationResults } = require("onecodex-wasm/tables");\n` +
    `new OneCodex({ apiKey: "k" });\nconsole.log(${USE});\nconsole.log(${USE_TABLES});\n`);
  assert.equal(sh("node", ["esm.mjs"], app).trim(), `${EXPECTED}\n${TABLES_EXPECTED}`);
  assert.equal(sh("node", ["cjs.cjs"], app).trim(), `${EXPECTED}\n${TABLES_EXPECTED}`);
});

test("installed package works in Chromium: esbuild bundle (slim recipe) and a plain page", async (t) => {
  fs.mkdirSync(path.join(app, "src"), { recursive: true });
  fs.writeFileSync(path.join(app, "src", "main.js"), [
    `import { init, encodeWhere } from "onecodex-wasm/slim";`,
    `import * as tables from "onecodex-wasm/tables/slim";`,
    `import wasmUrl from "onecodex-wasm/onecodex_wasm_bg.wasm";`,
    `import tablesWasmUrl from "onecodex-wasm/onecodex_tables_bg.wasm";`,
    `await init({ module_or_path: new URL(wasmUrl, import.meta.url) });`,
    `await tables.init({ module_or_path: new URL(tablesWasmUrl, import.meta.url) });`,
    `const { parseClassificationResults } = tables;`,
    `document.body.dataset.result = ${USE} + "|" + ${USE_TABLES};`,
  ].join("\n"));
  await esbuild.build({
    absWorkingDir: app, entryPoints: ["src/main.js"], bundle: true, format: "esm", outdir: "dist",
    loader: { ".wasm": "file" }, logLevel: "silent",
  });
  fs.writeFileSync(path.join(app, "bundled.html"), `<!doctype html><link rel="icon" href="data:,"><body><script type="module" src="./dist/main.js"></script>`);
  fs.writeFileSync(path.join(app, "plain.html"), [
    `<!doctype html><link rel="icon" href="data:,">`,
    `<script type="importmap">{"imports": {"onecodex-wasm": "./node_modules/onecodex-wasm/web/index.js",`,
    `  "onecodex-wasm/tables": "./node_modules/onecodex-wasm/tables/web/index.js"}}</script>`,
    `<body><script type="module">import { encodeWhere } from "onecodex-wasm";`,
    `import { parseClassificationResults } from "onecodex-wasm/tables";`,
    `document.body.dataset.result = ${USE} + "|" + ${USE_TABLES};</script>`,
  ].join("\n"));

  const server = await startStaticServer({ mounts: { "/": app } });
  const browser = await launch();
  t.after(async () => { await browser.close(); await server.close(); });
  for (const name of ["bundled", "plain"]) {
    const { page, problems } = await openPage(browser, `${server.url}/${name}.html`);
    await page.waitForSelector("body[data-result]", { state: "attached", timeout: 15_000 })
      .catch((e) => assert.fail(`${name}: ${e.message}\n${problems.join("\n")}`));
    assert.equal(await page.getAttribute("body", "data-result"), `${EXPECTED}|${TABLES_EXPECTED}`, name);
    assert.deepEqual(problems, [], name);
    await screenshot(page, `package-${name}`);
  }
});
