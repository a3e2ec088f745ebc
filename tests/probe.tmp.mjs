import * as c from "onecodex-wasm";
const tryit = (n, f) => { try { console.log(n, "->", f()); } catch (e) { console.log(n, "threw", e.name, e.code, e.message.slice(0, 100)); } };
tryit("encodeWhere(-1)", () => c.encodeWhere(-1, Infinity));
tryit("filterableFields()", () => c.filterableFields());
tryit("filterableFields(1.5)", () => c.filterableFields(1.5));
tryit("encodeWhere(-1)", () => c.encodeWhere(-1, Infinity));
tryit("encodeSort(Symbol)", () => c.encodeSort(Symbol("s")));
tryit("encodeWhere(-1)", () => c.encodeWhere(-1, Infinity));
