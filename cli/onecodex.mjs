#!/usr/bin/env node
// `onecodex-wasm`: the One Codex command-line tool of the package (`npx onecodex-wasm --help`).
import { main } from "./main.mjs";

// Ctrl-C: uploads keep their state in the cache folder, so the same command resumes them.
process.once("SIGINT", () => {
  process.stderr.write("\nInterrupted; run the same command again to continue an upload.\n");
  process.exit(130);
});

const code = await main(process.argv.slice(2));
// Pooled connections would keep the process alive for a while: exit once stdout is flushed.
process.stdout.write("", () => process.exit(code));
