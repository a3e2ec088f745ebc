// Arguments read as JSON text before they reach wasm. JSON.stringify calls getters and toJSON
// in JavaScript, detects cycles, and any exception stays here (the wasm side calls this through a
// `catch` import), so a hostile argument cannot exhaust the wasm stack or leave it unbalanced.
// Numbers JSON cannot carry are refused rather than silently sent as null.

const MAX_DEPTH = 100;

function refuse(message) {
  return { code: "invalid_argument", message };
}

/** JSON text of `value` ("null" for undefined), without the top-level keys in `omit`. With
 * `nonFinite`, NaN and ±Infinity become the strings "NaN", "Infinity" and "-Infinity" (for the
 * options that take them, e.g. a NaN `filler`). */
export function jsonText(what, value, omit, nonFinite) {
  const depth = new WeakMap();
  if (value !== null && typeof value === "object") depth.set(value, 1);
  let text;
  try {
    text = JSON.stringify(value, function (key, v) {
      if (this === value && omit.includes(key)) return undefined;
      if (typeof v === "number" && !Number.isFinite(v)) {
        if (nonFinite) return String(v);
        throw refuse(`${what}: ${key ? `'${key}' is` : "the value is"} ${v}, which is not a finite number`);
      }
      if (typeof v === "bigint") throw refuse(`${what}: ${key ? `'${key}'` : "the value"} is a BigInt; pass a number or a string`);
      if (v !== null && typeof v === "object" && v !== value) {
        const d = (depth.get(this) ?? 1) + 1;
        if (d > MAX_DEPTH) throw refuse(`${what}: nested more than ${MAX_DEPTH} levels deep`);
        depth.set(v, d);
      }
      return v;
    });
  } catch (e) {
    if (e && typeof e === "object" && e.code === "invalid_argument" && !(e instanceof Error)) throw e;
    // A cycle (TypeError from JSON.stringify) is ours to name; anything else is the caller's
    // own exception (a getter, a toJSON) and goes back to them as it is.
    if (e instanceof TypeError && /circular|cyclic/i.test(String(e.message))) throw refuse(`${what}: a circular structure is not JSON`);
    throw e;
  }
  return text === undefined ? "null" : text;
}
