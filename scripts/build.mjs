// Builds pkg/: one npm package `onecodex-wasm` for Node (ESM and CommonJS), bundlers and plain
// browser pages, from one release cargo build. Prints the gzipped size of the browser entry.
//
//   node scripts/build.mjs           release build (LTO, opt-level z, wasm-opt -Oz)
//
// wasm-pack runs cargo and the pinned wasm-bindgen CLI (installed by scripts/bootstrap); it cannot
// download wasm-opt here, so binaryen's wasm-opt from npm runs afterwards.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stage = path.join(root, ".cache", "build");
const pkg = path.join(root, "pkg");
const name = "onecodex_wasm";
export const SIZE_BUDGET_GZIP = 350 * 1024;

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...opts });
}

function wasmPack(target) {
  run("wasm-pack", [
    "--quiet", "build", "--release", "--mode", "no-install", "--target", target, "--no-pack",
    "--weak-refs", "--out-dir", path.join(stage, target), "--out-name", name, root,
  ]);
}

// The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them.
const WASM_FEATURES = [
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];

function wasmOpt(file) {
  const bin = path.join(root, "node_modules", ".bin", "wasm-opt");
  run(bin, ["-Oz", ...WASM_FEATURES, "--strip-debug", "--strip-producers", file, "-o", file]);
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function cargoVersion() {
  const toml = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8");
  const m = toml.match(/\[workspace\.package\][^[]*?\nversion\s*=\s*"([^"]+)"/);
  if (!m) throw new Error("no [workspace.package] version in Cargo.toml");
  return m[1];
}

// wasm-bindgen writes `inline_js` snippets as ES modules. The CommonJS build requires them, so
// they become .cjs files here (our snippets only use `export function`), and Node needs no
// require(esm) support.
function snippetToCommonJs(code, file) {
  const names = [];
  const body = code.replace(/^export (async )?function (\w+)/gm, (_, a, n) => { names.push(n); return `${a ?? ""}function ${n}`; });
  if (/^\s*export\b/m.test(body)) throw new Error(`${file}: only \`export [async] function\` is supported in snippets`);
  return `${body}\nmodule.exports = { ${names.join(", ")} };\n`;
}

function copySnippets(from, to, { commonJs }) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const src = path.join(entry.parentPath ?? entry.path, entry.name);
    const rel = path.relative(from, src);
    const dest = path.join(to, commonJs ? rel.replace(/\.js$/, ".cjs") : rel);
    const code = fs.readFileSync(src, "utf8");
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, commonJs ? snippetToCommonJs(code, src) : code);
  }
}

function buildDemoVendor() {
  const out = path.join(root, "www", "vendor", "vega.js");
  const entry = path.join(root, "www", "js", "vega-entry.js");
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs > fs.statSync(entry).mtimeMs) return;
  run(path.join(root, "node_modules", ".bin", "esbuild"), [entry, "--bundle", "--format=esm", "--minify", "--log-level=warning", `--outfile=${out}`]);
}

export function gzipSize(files) {
  return files.reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length, 0);
}

function build() {
  const started = Date.now();
  fs.rmSync(stage, { recursive: true, force: true });
  wasmPack("web");
  wasmPack("nodejs");
  for (const target of ["web", "nodejs"]) wasmOpt(path.join(stage, target, `${name}_bg.wasm`));

  fs.rmSync(pkg, { recursive: true, force: true });
  fs.mkdirSync(pkg, { recursive: true });

  // Browsers and bundlers: the `web` target, loaded by index.js on import (top-level await).
  for (const f of [`${name}.js`, `${name}.d.ts`, `${name}_bg.wasm`]) copy(path.join(stage, "web", f), path.join(pkg, "web", f));
  copySnippets(path.join(stage, "web", "snippets"), path.join(pkg, "web", "snippets"), { commonJs: false });
  const tmpl = path.join(root, "pkg-template");
  for (const f of ["index.js", "slim.js", "slim.d.ts"]) copy(path.join(tmpl, "web", f), path.join(pkg, "web", f));

  // Node: the `nodejs` target is CommonJS and instantiates synchronously on require.
  const cjs = fs.readFileSync(path.join(stage, "nodejs", `${name}.js`), "utf8")
    .replace(`/* @ts-self-types="./${name}.d.ts" */`, `/* @ts-self-types="../index.d.cts" */`)
    // Only in require() calls: the wasm import object keys must keep the module names as built.
    .replace(/require\((String\.raw)?([`"])(\.\/snippets\/[^`"]+)\.js\2\)/g, "require($1$2$3.cjs$2)");
  copySnippets(path.join(stage, "nodejs", "snippets"), path.join(pkg, "node", "snippets"), { commonJs: true });
  fs.mkdirSync(path.join(pkg, "node"), { recursive: true });
  fs.writeFileSync(path.join(pkg, "node", "index.cjs"), cjs);
  copy(path.join(stage, "nodejs", `${name}_bg.wasm`), path.join(pkg, "node", `${name}_bg.wasm`));
  const exportsOf = Object.keys(createRequire(import.meta.url)(path.join(pkg, "node", "index.cjs"))).filter((k) => k !== "__esModule");
  // The ESM entry re-exports the CommonJS one, so Node loads a single instance either way.
  fs.writeFileSync(path.join(pkg, "node", "index.mjs"),
    `// Generated by scripts/build.mjs: Node ESM entry over the CommonJS build.\n` +
    `import m from "./index.cjs";\n` +
    exportsOf.map((k) => `export const ${k} = m.${k};`).join("\n") + "\n");

  // Types: generated by wasm-bindgen from the Rust definitions (tsify), once for both module kinds.
  // Classes implement `Symbol.dispose` (for `using`), which needs TypeScript's disposable lib.
  const dts = `/// <reference lib="esnext.disposable" />\n` + fs.readFileSync(path.join(stage, "nodejs", `${name}.d.ts`), "utf8");
  fs.writeFileSync(path.join(pkg, "index.d.ts"), dts);
  fs.writeFileSync(path.join(pkg, "index.d.cts"), dts);

  const version = cargoVersion();
  const manifest = JSON.parse(fs.readFileSync(path.join(tmpl, "package.json"), "utf8"));
  manifest.version = version;
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  for (const f of ["README.md", "LICENSE", "CHANGELOG.md"]) copy(path.join(tmpl, f), path.join(pkg, f));

  // Tests and the demo import the package by name, as users do.
  const link = path.join(root, "node_modules", "onecodex-wasm");
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(path.relative(path.dirname(link), pkg), link, "dir");

  // The demo's chart library, bundled locally (no CDN).
  buildDemoVendor();

  const browserEntry = ["web/index.js", `web/${name}.js`, `web/${name}_bg.wasm`].map((f) => path.join(pkg, f));
  const wasmBytes = fs.statSync(path.join(pkg, "web", `${name}_bg.wasm`)).size;
  const gz = gzipSize(browserEntry);
  const report = { version, wasmBytes, browserEntryGzip: gz, budgetGzip: SIZE_BUDGET_GZIP, seconds: (Date.now() - started) / 1000 };
  fs.writeFileSync(path.join(root, ".cache", "size.json"), JSON.stringify(report, null, 2));
  console.log(`built pkg/ onecodex-wasm@${version} in ${report.seconds.toFixed(1)} s`);
  console.log(`size: wasm ${(wasmBytes / 1024).toFixed(1)} KB raw; browser entry (wasm + JS glue) ${(gz / 1024).toFixed(1)} KB gzipped of a ${SIZE_BUDGET_GZIP / 1024} KB budget`);
  if (gz > SIZE_BUDGET_GZIP) {
    // A budget, not a gate: `npm run bench` reports it too.
    console.error(`size: OVER BUDGET by ${((gz - SIZE_BUDGET_GZIP) / 1024).toFixed(1)} KB`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
