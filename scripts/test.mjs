// `npm test`: every test layer, in order, each with a time budget. A failing layer does not stop
// the others; the run fails if any layer failed. Artefacts are built once (pkg/ by one release
// build; the wasm test binary once for Node and Chromium).
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const wasmTest = ["cargo", ["test", "-p", "onecodex-wasm", "--target", "wasm32-unknown-unknown", "--test", "web"]];
const wasmEnv = { CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: "wasm-bindgen-test-runner" };

// [name, command, args, budget in seconds, extra environment, attempts when a run overruns]
const LAYERS = [
  // First: formatting and clippy, each a failure of the run (a clean clone: about N s).
  ["hygiene: cargo fmt --check and clippy -D warnings (native, wasm32 client and tables)", "node", ["scripts/hygiene.mjs"], 900],
  ["cargo test (native workspace)", "cargo", ["test", "--workspace"], 1800],
  // Builds in fuzz/target (incremental); a first build takes ~4 min on 2 busy cores.
  ["fuzz: replay the corpus, then about 15 s per parser (cargo-fuzz, nightly)", "node", ["scripts/fuzz.mjs", "--seconds", "15"], 900],
  ["wasm-bindgen tests in Node", ...wasmTest, 900, wasmEnv],
  // The runner sometimes never hears from Chromium (seen on fresh machines, about one run in two
  // in a full `npm test`; a run that gets through takes 9 s), so a run that hangs is stopped after
  // 60 s and tried again, up to four times.
  ["wasm-bindgen tests in headless Chromium", ...wasmTest, 60, { ...wasmEnv, WASM_BINDGEN_USE_BROWSER: "1" }, 4],
  ["build pkg/ (release wasm, wasm-opt, size)", "node", ["scripts/build.mjs"], 900],
  ["official Python client (onecodex 1.2.0) against the local server", "bash", ["tests/python/run.sh"], 600],
  ["node:test: the package as ESM and CommonJS, the client against the local server", "node", ["--test", "tests/js/"], 600],
  ["CLI: onecodex-wasm against the local server and the Python CLI (tests/cli)", "node", ["--test", "--test-concurrency=2", "tests/cli/"], 270],
  ["parity: the analyses against the Python client's on the local server's samples", "node", ["--test", "tests/parity/"], 1500],
  ["tsc --noEmit over the public API", bin("tsc"), ["-p", "tests/types/tsconfig.json"], 120],
  ["packaging: npm pack, install, Node ESM/CJS, esbuild and plain pages", "node", ["--test", "tests/packaging/"], 300],
  ["page tests in headless Chromium (Playwright)", "node", ["--test", "tests/page/"], 600],
  ["API reference: TypeDoc over the shipped .d.ts, warnings are errors", bin("typedoc"), ["--treatWarningsAsErrors"], 300],
];

async function runLayer([name, cmd, args, budget, env = {}, attempts = 1]) {
  const started = Date.now();
  let result;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result = await runOnce(name, cmd, args, budget, env, attempt > 1 ? ` (attempt ${attempt} of ${attempts})` : "");
    // Only an overrun is tried again; a failing test fails the layer at once.
    if (result.ok || !result.overran) break;
  }
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

function runOnce(name, cmd, args, budget, env, attemptNote) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name} (budget ${budget} s)${attemptNote}`);
    const started = Date.now();
    let overran = false;
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env }, detached: true });
    const timer = setTimeout(() => {
      overran = true;
      console.error(`!!! ${name}: over its ${budget} s budget, stopped`);
      try { process.kill(-child.pid, "SIGKILL"); } catch {}
    }, budget * 1000);
    const done = (ok, why = "") => {
      clearTimeout(timer);
      resolve({ name, ok, why, overran, seconds: (Date.now() - started) / 1000 });
    };
    child.on("error", (e) => done(false, e.message));
    child.on("exit", (code, signal) => done(code === 0, signal ? `signal ${signal}` : code ? `exit ${code}` : ""));
  });
}

// Layer 1 builds the local server (debug) for its own integration tests; the later layers use
// that binary instead of building a release one (benchmarks do build release).
const debugServer = path.join(process.env.CARGO_TARGET_DIR || path.join(root, "target"), "debug", "onecodex-server");

const only = process.argv.slice(2);
const results = [];
for (const layer of LAYERS) {
  if (only.length && !only.some((o) => layer[0].includes(o))) continue;
  results.push(await runLayer(layer));
  if (layer[0].startsWith("cargo test") && results.at(-1).ok && !process.env.ONECODEX_SERVER_BIN) {
    process.env.ONECODEX_SERVER_BIN = debugServer;
  }
}

console.log("\n=== summary");
for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.seconds.toFixed(1).padStart(7)} s  ${r.name}${r.why ? `  (${r.why})` : ""}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`layers: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
