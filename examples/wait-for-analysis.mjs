#!/usr/bin/env node
// Wait for an analysis to finish (polling at least 5 s apart, backing off), then print its state.
//
//   ONE_CODEX_API_KEY=… node examples/wait-for-analysis.mjs ANALYSIS_ID [--timeout-minutes 30]
import { parseArgs } from "node:util";
import { OneCodex, isOneCodexError } from "onecodex-wasm";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { "timeout-minutes": { type: "string", default: "30" } },
});
if (positionals.length !== 1) {
  console.error("usage: node examples/wait-for-analysis.mjs ANALYSIS_ID [--timeout-minutes N]");
  process.exit(2);
}

const ocx = new OneCodex();
try {
  const done = await ocx.analyses.awaitCompletion(positionals[0], {
    timeoutMs: Number(args["timeout-minutes"]) * 60_000,
    onPoll: (a, n) => console.error(`poll ${n}: ${a.complete ? "complete" : "running"}`),
  });
  console.log(JSON.stringify({ id: positionals[0], complete: done.complete, success: done.success, error_msg: done.error_msg ?? null }));
  process.exitCode = done.success ? 0 : 1;
} catch (e) {
  console.error(isOneCodexError(e) ? `error (${e.code}): ${e.message}` : e);
  process.exitCode = 1;
}
