// Types of the tables' bring-your-own-wasm entry: the API plus `init`/`initSync` (wasm-bindgen's
// loader), declared here again only to carry documentation with examples.
import type { default as wasmInit, initSync as wasmInitSync } from "./onecodex_tables.js";
export * from "./onecodex_tables.js";

/**
 * Fetches (or takes) the tables' .wasm and instantiates it; call it once before using
 * "onecodex-wasm/tables/slim". Resolves to the module's exports.
 *
 * @example
 * ```ts
 * import { init, parseClassificationResults } from "onecodex-wasm/tables/slim";
 * // esbuild: `import wasmUrl from "onecodex-wasm/onecodex_tables_bg.wasm"` with --loader:.wasm=file
 * await init({ module_or_path: new URL("onecodex_tables_bg.wasm", location.href) });
 * const table = parseClassificationResults(bytes);
 * ```
 */
export declare const init: typeof wasmInit;

/**
 * Instantiates the tables module synchronously from its bytes or a compiled `WebAssembly.Module`
 * (e.g. in a worker that received the module).
 *
 * @example
 * ```ts
 * import { initSync, parseClassificationResults } from "onecodex-wasm/tables/slim";
 * const wasm = await (await fetch("/onecodex_tables_bg.wasm")).arrayBuffer();
 * initSync({ module: wasm });
 * console.log(parseClassificationResults(bytes).length);
 * ```
 */
export declare const initSync: typeof wasmInitSync;
