// The hygiene gate, the first layer of `npm test`: formatting and clippy (warnings are errors)
// over the native workspace (core, server, the wasm crate), the wasm crate for wasm32 under each
// of its two feature sets (the `onecodex-wasm` and `onecodex-wasm/tables` builds), and the fuzz
// targets' crate. Every check runs even when an earlier one failed; each prints its time.
// Clippy shares target/ with the other layers (check metadata only), so reruns are incremental.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wasm = ["-p", "onecodex-wasm", "--target", "wasm32-unknown-unknown", "--no-default-features"];
const deny = ["--", "-D", "warnings"];

const CHECKS = [
  ["rustfmt (workspace)", ["fmt", "--all", "--", "--check"]],
  ["rustfmt (fuzz targets)", ["fmt", "--manifest-path", "fuzz/Cargo.toml", "--", "--check"]],
  ["clippy: native workspace, all targets", ["clippy", "--workspace", "--all-targets", ...deny]],
  ["clippy: wasm32, the client build", ["clippy", ...wasm, "--features", "client", ...deny]],
  ["clippy: wasm32, the tables build", ["clippy", ...wasm, "--features", "tables", ...deny]],
  ["clippy: wasm32, tests (web.rs)", ["clippy", "-p", "onecodex-wasm", "--target", "wasm32-unknown-unknown", "--tests", ...deny]],
];

let failed = 0;
for (const [name, args] of CHECKS) {
  const started = Date.now();
  const r = spawnSync("cargo", args, { cwd: root, stdio: "inherit" });
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${name}`);
}
console.log(`hygiene: ${CHECKS.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
