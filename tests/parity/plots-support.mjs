// Comparing and rendering chart specs: the plots parity test's normalisation and whole-spec
// comparison, and a render check with vega-lite and vega (no warnings but those a case allows).
import assert from "node:assert/strict";
import * as vl from "vega-lite";
import * as vega from "vega";

/** The spec with its datasets renamed `data-0`, `data-1` … in the order they are first used
 * (keys walked sorted), and without `$schema`. */
export function normalise(spec) {
  const names = new Map();
  const walk = (x) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x && typeof x === "object") {
      for (const k of Object.keys(x).sort()) {
        if (k === "datasets") continue;
        if (k === "data" && typeof x[k]?.name === "string" && !names.has(x[k].name)) names.set(x[k].name, `data-${names.size}`);
        walk(x[k]);
      }
    }
  };
  walk(spec);
  const rename = (x) => {
    if (Array.isArray(x)) return x.map(rename);
    if (x && typeof x === "object") {
      const out = {};
      for (const [k, v] of Object.entries(x)) {
        if (k === "$schema") continue;
        if (k === "datasets") {
          out[k] = Object.fromEntries(Object.entries(v).map(([n, rows]) => [names.get(n) ?? `unused ${n}`, rows]));
        } else if (k === "data" && typeof v?.name === "string") {
          out[k] = { ...v, name: names.get(v.name) };
        } else out[k] = rename(v);
      }
      return out;
    }
    return x;
  };
  return rename(spec);
}

/** For charts drawn from a random start (`"structure": true` cases): the normalised spec with
 * every number in its datasets' rows replaced by `"<number>"` (missing values stay null) and the
 * numbers in axis titles by `#`, so that only fields, rows, types and the rest are compared. */
export function structure(spec) {
  const walk = (x, key) => {
    if (Array.isArray(x)) return x.map((v) => walk(v, key));
    if (x && typeof x === "object") {
      return Object.fromEntries(Object.entries(x).map(([k, v]) => {
        if (k === "datasets") {
          const rows = (r) => Object.fromEntries(Object.entries(r).map(([f, n]) => [f, typeof n === "number" ? "<number>" : n]));
          return [k, Object.fromEntries(Object.entries(v).map(([n, d]) => [n, d.map(rows)]))];
        }
        if (k === "axis" && typeof v?.title === "string") return [k, { ...v, title: v.title.replace(/-?\d+(\.\d+)?/g, "#") }];
        return [k, walk(v, k)];
      }));
    }
    return x;
  };
  return walk(spec);
}

/** The first difference between two normalised specs, or null: same keys, same array lengths,
 * equal strings and booleans, numbers within `rel` (or 1e-12 absolute). */
export function difference(got, want, rel, where = "spec") {
  if (typeof want === "number" && typeof got === "number") {
    const d = Math.abs(got - want);
    return d <= 1e-12 || d <= rel * Math.max(Math.abs(got), Math.abs(want)) ? null : `${where}: ${got} vs Python ${want}`;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return `${where}: ${JSON.stringify(got)?.slice(0, 200)} vs Python an array`;
    if (got.length !== want.length) return `${where}: ${got.length} items vs Python ${want.length}`;
    for (let i = 0; i < want.length; i++) {
      const d = difference(got[i], want[i], rel, `${where}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (want && typeof want === "object") {
    if (!got || typeof got !== "object" || Array.isArray(got)) return `${where}: ${JSON.stringify(got)?.slice(0, 200)} vs Python an object`;
    const gk = Object.keys(got).sort(), wk = Object.keys(want).sort();
    const missing = wk.filter((k) => !(k in got)), extra = gk.filter((k) => !(k in want));
    if (missing.length || extra.length) {
      return `${where}: keys missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}` +
        (missing.length ? ` (Python's ${JSON.stringify(missing.map((k) => want[k])).slice(0, 300)})` : "");
    }
    for (const k of wk) {
      const d = difference(got[k], want[k], rel, `${where}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(got, want) ? null : `${where}: ${JSON.stringify(got)?.slice(0, 200)} vs Python ${JSON.stringify(want)?.slice(0, 200)}`;
}

/** vega-lite compiles the spec and vega renders it to SVG, both without warnings but those
 * containing one of `allowed` (as a case's `render_warnings` lists them): the SVG. */
export async function renderSvg(spec, allowed = []) {
  const logged = [];
  const logger = { level: () => logger, error: (...m) => logged.push(["error", ...m]), warn: (...m) => logged.push(["warn", ...m]), info() {}, debug() {} };
  const compiled = vl.compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logger: vega.logger(vega.Warn) });
  view.logger({ level: () => vega.Warn, error: (...m) => logged.push(["error", ...m]), warn: (...m) => logged.push(["warn", ...m]), info() {}, debug() {} });
  const svg = await view.toSVG();
  view.finalize();
  const unexpected = logged.filter((m) => !allowed.some((a) => m.slice(1).join(" ").includes(a)));
  assert.deepEqual(unexpected, [], `vega-lite/vega logged: ${JSON.stringify(unexpected).slice(0, 500)}`);
  return svg;
}

/** The JS options of a case's Python kwargs: the same names in camelCase. */
export const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
export const jsOptions = (kwargs) => Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camel(k), v]));
