// The visual filter builder: pick a field, then only the operators that field takes (from the
// package's own field table), then a value; conditions accumulate (AND).
import { encodeWhere, filterableFields } from "onecodex-wasm";

const $ = (id) => document.getElementById(id);
const NUMERIC = new Set(["num"]);
const LIST_OPS = new Set(["$in", "$between", "$containsall", "$containsany"]);

export function createFilterUi(resource, onChange) {
  const fields = Object.fromEntries(filterableFields(resource).map((f) => [f.name, f]));
  const conditions = [];
  const fill = (select, values) => select.replaceChildren(...values.map((v) => new Option(v, v)));

  fill($("field"), Object.keys(fields));
  $("field").value = "filename";
  const showOperators = () => {
    const ops = fields[$("field").value].operators;
    fill($("operator"), ops);
    if (ops.includes("$iendswith")) $("operator").value = "$iendswith";
  };

  function pending() {
    const field = fields[$("field").value];
    const op = $("operator").value;
    const raw = $("value").value;
    const parse = (s) => {
      const t = s.trim();
      if (NUMERIC.has(field.kind)) return Number(t);
      if (field.kind === "bool") return t === "true";
      return t;
    };
    const operand = LIST_OPS.has(op) ? raw.split(",").map(parse) : parse(raw);
    return [field.name, op, operand];
  }

  /** The filter of all conditions (and, with `includePending`, the one being edited). */
  function filter(includePending = true) {
    const where = {};
    const editing = includePending && $("value").value.trim() !== "";
    for (const [field, op, operand] of editing ? [...conditions, pending()] : conditions) {
      where[field] = { ...(where[field] ?? {}), [op]: operand };
    }
    return where;
  }

  function render() {
    $("conditions").replaceChildren(...conditions.map(([f, op, v]) => {
      const li = document.createElement("li");
      li.textContent = `${f} ${op} ${JSON.stringify(v)}`;
      return li;
    }));
    try {
      $("where-preview").textContent = encodeWhere(filter(), resource);
      $("filter-error").textContent = "";
    } catch (e) {
      $("where-preview").textContent = "";
      $("filter-error").textContent = `${e.code}: ${e.message}`;
    }
    onChange?.();
  }

  $("field").addEventListener("change", () => { showOperators(); render(); });
  $("operator").addEventListener("change", render);
  $("value").addEventListener("input", render);
  $("add-condition").addEventListener("click", () => {
    try {
      encodeWhere(filter(), resource); // only valid conditions are kept
      conditions.push(pending());
      $("value").value = "";
      render();
    } catch { /* the error is already shown */ }
  });
  $("clear-conditions").addEventListener("click", () => { conditions.length = 0; render(); });
  showOperators();
  render();
  return { filter };
}
