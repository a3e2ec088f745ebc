// Builds pkg/: one npm package `onecodex-wasm` for Node (ESM and CommonJS), bundlers and plain
// browser pages. Two entry points, two wasm builds of the one crate (Cargo features):
//   onecodex-wasm          the client (queries, uploads, downloads): opt-level z, wasm-opt -Oz
//   onecodex-wasm/tables   results parsing and matrices: profile `tables` (opt-level 3), -O3
// The client loads the tables module itself the first time a table is asked for. Prints the
// gzipped size of each browser entry (wasm + JS glue) against the budget.
//
//   node scripts/build.mjs
// wasm-pack runs cargo and the pinned wasm-bindgen CLI (installed by scripts/bootstrap); it cannot
// download wasm-opt here, so binaryen's wasm-opt from npm runs afterwards.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stage = path.join(root, ".cache", "build");
const pkg = path.join(root, "pkg");
// `dir`: where the entry lives in pkg/ ("" = the root); `types`: its .d.ts name at the pkg root;
// `budgetGzip`: its browser entry's size goal, gzipped (the tables module carries the analyses
// and the charts, which were allowed 400 KB).
const ENTRIES = [
  { spec: "onecodex-wasm", name: "onecodex_wasm", dir: "", types: "index", features: "client", cargo: ["--release"], opt: "-Oz", budgetGzip: 350 * 1024 },
  { spec: "onecodex-wasm/tables", name: "onecodex_tables", dir: "tables", types: "tables", features: "tables", cargo: ["--profile", "tables"], opt: "-O3", budgetGzip: 400 * 1024 },
];
const [CLIENT, TABLES] = ENTRIES;

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...opts });
}

function wasmPack(entry, target) {
  run("wasm-pack", [
    "--quiet", "build", ...entry.cargo, "--mode", "no-install", "--target", target, "--no-pack",
    "--weak-refs", "--out-dir", path.join(stage, entry.name, target), "--out-name", entry.name, root,
    "--", "--no-default-features", "--features", entry.features,
  ]);
}

// The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them.
const WASM_FEATURES = [
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];

function wasmOpt(file, level) {
  const bin = path.join(root, "node_modules", ".bin", "wasm-opt");
  run(bin, [level, ...WASM_FEATURES, "--strip-debug", "--strip-producers", file, "-o", file]);
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
// they become .cjs files here (our snippets only use `export function` and import named
// functions from each other), and Node needs no require(esm) support.
function snippetToCommonJs(code, file) {
  const names = [];
  const body = code
    .replace(/^import \{([\w\s,]+)\} from "(\.\/[\w-]+)\.js";$/gm, (_, list, from) => `const {${list}} = require("${from}.cjs");`)
    .replace(/^export (async )?function (\w+)/gm, (_, a, n) => { names.push(n); return `${a ?? ""}function ${n}`; });
  if (/^\s*(export\b|import\s)/m.test(body)) throw new Error(`${file}: only \`export [async] function\` and \`import { … } from "./x.js"\` are supported in snippets`);
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

// Names a .d.ts declares at its top level (`kinds`: class, interface, type, function, …).
function declaredNames(dts, kinds = "class|interface|type|function|enum|const") {
  return new Set([...dts.matchAll(new RegExp(`^export (?:declare )?(?:${kinds}) (\\w+)`, "gm"))].map((m) => m[1]));
}

// The client's declarations name tables' classes (`table()` gives a `ClassificationTable`):
// import those types from the tables' declarations, at `from` relative to the file.
function withTablesTypes(clientDts, tablesDts, from) {
  const own = declaredNames(clientDts);
  const wanted = [...declaredNames(tablesDts, "class|interface|type|enum")].filter((n) => !own.has(n) && new RegExp(`\\b${n}\\b`).test(clientDts));
  return wanted.length ? `import type { ${wanted.join(", ")} } from "${from}";\n${clientDts}` : clientDts;
}

// One entry's files in pkg/: web (browsers, bundlers) and node (CommonJS, and ESM over it).
function assembleEntry(entry, dts) {
  const base = path.join(pkg, entry.dir);
  const built = (target, f) => path.join(stage, entry.name, target, f);
  const up = entry.dir ? "../../" : "../";

  // Browsers and bundlers: the `web` target, loaded by index.js on import (top-level await).
  copy(built("web", `${entry.name}_bg.wasm`), path.join(base, "web", `${entry.name}_bg.wasm`));
  // wasm-bindgen copies every doc comment into the glue; pages need none of it (the .d.ts has
  // them). Whitespace and syntax are minified too; names are kept.
  const glue = fs.readFileSync(built("web", `${entry.name}.js`), "utf8");
  fs.writeFileSync(path.join(base, "web", `${entry.name}.js`),
    esbuild.transformSync(glue, { minifyWhitespace: true, minifySyntax: true, legalComments: "none", target: "es2022" }).code);
  fs.writeFileSync(path.join(base, "web", `${entry.name}.d.ts`), dts.web);
  copySnippets(built("web", "snippets"), path.join(base, "web", "snippets"), { commonJs: false });
  const tmpl = path.join(root, "pkg-template", entry.dir, "web");
  for (const f of ["index.js", "slim.js", "slim.d.ts"]) copy(path.join(tmpl, f), path.join(base, "web", f));

  // Node: the `nodejs` target is CommonJS and instantiates synchronously on require.
  let cjs = fs.readFileSync(built("nodejs", `${entry.name}.js`), "utf8")
    .replace(`/* @ts-self-types="./${entry.name}.d.ts" */`, `/* @ts-self-types="${up}${entry.types}.d.cts" */`)
    // Only in require() calls: the wasm import object keys must keep the module names as built.
    .replace(/require\((String\.raw)?([`"])(\.\/snippets\/[^`"]+)\.js\2\)/g, "require($1$2$3.cjs$2)");
  if (entry === CLIENT) {
    cjs += `\n// The tables module (onecodex-wasm/tables), required the first time a table is asked for.\n` +
      `module.exports.useTables(() => Promise.resolve().then(() => require("../${TABLES.dir}/node/index.cjs")));\n`;
  }
  copySnippets(built("nodejs", "snippets"), path.join(base, "node", "snippets"), { commonJs: true });
  fs.mkdirSync(path.join(base, "node"), { recursive: true });
  fs.writeFileSync(path.join(base, "node", "index.cjs"), cjs);
  copy(built("nodejs", `${entry.name}_bg.wasm`), path.join(base, "node", `${entry.name}_bg.wasm`));
  const exportsOf = Object.keys(createRequire(import.meta.url)(path.join(base, "node", "index.cjs"))).filter((k) => k !== "__esModule");
  // The ESM entry re-exports the CommonJS one, so Node loads a single instance either way.
  fs.writeFileSync(path.join(base, "node", "index.mjs"),
    `// Generated by scripts/build.mjs: Node ESM entry over the CommonJS build.\n` +
    `import m from "./index.cjs";\n` +
    exportsOf.map((k) => `export const ${k} = m.${k};`).join("\n") + "\n");

  // Types: generated by wasm-bindgen from the Rust definitions (tsify), once for both module kinds.
  fs.writeFileSync(path.join(pkg, `${entry.types}.d.ts`), dts.esm);
  fs.writeFileSync(path.join(pkg, `${entry.types}.d.cts`), dts.cjs);
}

// One build at a time: two at once would delete each other's stage and pkg/. The lock is a
// directory (mkdir is atomic) holding the owner's pid; a lock whose owner is gone is taken over.
function withBuildLock(fn) {
  const lock = path.join(root, ".cache", "build.lock");
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === "EPERM"; } };
  for (let said = false; ;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      const owner = Number(fs.readFileSync(path.join(lock, "pid"), { encoding: "utf8", flag: "a+" }) || 0);
      if (owner && !alive(owner)) { fs.rmSync(lock, { recursive: true, force: true }); continue; }
      if (!said) { console.log(`waiting for the build of process ${owner || "?"} to finish`); said = true; }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function build() {
  const started = Date.now();
  fs.rmSync(stage, { recursive: true, force: true });
  for (const entry of ENTRIES) {
    for (const target of ["web", "nodejs"]) {
      wasmPack(entry, target);
      wasmOpt(path.join(stage, entry.name, target, `${entry.name}_bg.wasm`), entry.opt);
    }
  }

  fs.rmSync(pkg, { recursive: true, force: true });
  fs.mkdirSync(pkg, { recursive: true });

  // Classes implement `Symbol.dispose` (for `using`), which needs TypeScript's disposable lib.
  const header = `/// <reference lib="esnext.disposable" />\n`;
  // The web target's declarations add its loader (`init`, `initSync`) for the slim entries.
  const rawDts = (entry, target) => fs.readFileSync(path.join(stage, entry.name, target, `${entry.name}.d.ts`), "utf8");
  const tablesDts = rawDts(TABLES, "nodejs");
  assembleEntry(TABLES, { esm: header + tablesDts, cjs: header + tablesDts, web: rawDts(TABLES, "web") });
  const clientDts = rawDts(CLIENT, "nodejs");
  assembleEntry(CLIENT, {
    esm: header + withTablesTypes(clientDts, tablesDts, "./tables.js"),
    cjs: header + withTablesTypes(clientDts, tablesDts, "./tables.cjs"),
    web: withTablesTypes(rawDts(CLIENT, "web"), tablesDts, "../tables.js"),
  });

  const tmpl = path.join(root, "pkg-template");
  const version = cargoVersion();
  const manifest = JSON.parse(fs.readFileSync(path.join(tmpl, "package.json"), "utf8"));
  manifest.version = version;
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  for (const f of ["README.md", "LICENSE", "CHANGELOG.md"]) copy(path.join(tmpl, f), path.join(pkg, f));
  // The command-line tool (`bin`), plain JS over the package's own client.
  fs.cpSync(path.join(root, "cli"), path.join(pkg, "cli"), { recursive: true });

  // Tests and the demo import the package by name, as users do.
  const link = path.join(root, "node_modules", "onecodex-wasm");
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(path.relative(path.dirname(link), pkg), link, "dir");

  // The demo's chart library, bundled locally (no CDN).
  buildDemoVendor();

  const entries = ENTRIES.map((e) => {
    const web = path.join(pkg, e.dir, "web");
    const files = ["index.js", `${e.name}.js`, `${e.name}_bg.wasm`].map((f) => path.join(web, f));
    return { entry: e.spec, wasmBytes: fs.statSync(files[2]).size, gzip: gzipSize(files), budgetGzip: e.budgetGzip };
  });
  const report = { version, entries, seconds: (Date.now() - started) / 1000 };
  fs.writeFileSync(path.join(root, ".cache", "size.json"), JSON.stringify(report, null, 2));
  console.log(`built pkg/ onecodex-wasm@${version} in ${report.seconds.toFixed(1)} s`);
  for (const e of entries) {
    const over = e.gzip > e.budgetGzip ? `  OVER BUDGET by ${((e.gzip - e.budgetGzip) / 1024).toFixed(1)} KB` : "";
    // A budget, not a gate: `npm run bench` reports it too.
    console.log(`size: ${e.entry.padEnd(20)} wasm ${(e.wasmBytes / 1024).toFixed(1)} KB raw; browser entry (wasm + JS glue) ${(e.gzip / 1024).toFixed(1)} KB gzipped of a ${e.budgetGzip / 1024} KB budget${over}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) withBuildLock(build);
