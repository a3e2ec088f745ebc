// Browser and bundler entry of onecodex-wasm/tables: instantiates its module on import (top-level
// await). The client entry imports this file itself when a table is first asked for.
import init from "./onecodex_tables.js";

await init();

export * from "./onecodex_tables.js";
