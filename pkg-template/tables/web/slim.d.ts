// Types of the tables' bring-your-own-wasm entry: the API plus `init`/`initSync`.
export { default as init } from "./onecodex_tables.js";
export * from "./onecodex_tables.js";
