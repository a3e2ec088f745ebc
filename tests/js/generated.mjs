// Classification results from the local server's generator (`--generate-results`, no server
// running): realistic profiles for tests that need results bytes without the API.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { serverBinary } from "../../scripts/server.mjs";

/** `n` generated results files as [{ classificationId, bytes }], removed after the test. */
export function generatedResults(t, n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-results-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync(serverBinary({ quiet: true }), ["--generate-results", String(n), dir], { stdio: "ignore" });
  return fs.readdirSync(dir).sort().map((f) => ({
    classificationId: f.replace(/^\d+_/, "").replace(/\.json\.zst$/, ""),
    bytes: new Uint8Array(fs.readFileSync(path.join(dir, f))),
  }));
}
