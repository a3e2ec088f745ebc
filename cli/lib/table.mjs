// The Python CLI's fixed-width tables (`documents list`, `assets list`, `analyses files`) and
// its size text, kept as it prints them.
import { writeOut } from "./output.mjs";

/** Python's `_size_formatter`: "%g %s" of the size rounded to 2 places, in B, KB, MB or GB. */
export function sizeText(size) {
  let unit = "B";
  let n = size;
  if (n > 1e9) { unit = "GB"; n /= 1e9; } else if (n >= 1e6) { unit = "MB"; n /= 1e6; } else if (n >= 1e3) { unit = "KB"; n /= 1e3; }
  return `${formatG(pyRound2(n))} ${unit}`;
}

// Python's round(x, 2): correctly rounded from the exact binary value (as toFixed does), but
// an exact tie (x·100 ends in exactly .5 in binary, e.g. 2.125) goes to the even digit.
function pyRound2(x) {
  const exact = Math.abs(x).toFixed(30);
  if (/\.\d\d50*$/.test(exact)) {
    const down = Math.trunc(Math.abs(x) * 100) / 100;
    const even = Math.trunc(Math.abs(x) * 100) % 2 === 0;
    return Math.sign(x) * (even ? down : Number((down + 0.01).toFixed(2)));
  }
  return Number(x.toFixed(2));
}
// printf's %g: 6 significant digits, trailing zeros dropped.
function formatG(x) {
  if (x === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) return x.toExponential(5).replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
  return String(Number(x.toPrecision(6)));
}

/** Python's `_print_table`: each cell left-aligned in width + 2, cut to width with "...". */
export async function printTable(columns, rows) {
  const header = columns.map(([name]) => name);
  const dashes = columns.map(([, w]) => "-".repeat(w));
  let out = "";
  for (const row of [header, dashes, ...rows]) {
    out += columns.map(([, w], i) => {
      let c = String(row[i] ?? "");
      if (c.length > w) c = `${c.slice(0, w - 3)}...`;
      return c.padEnd(w + 2);
    }).join("") + "\n";
  }
  await writeOut(out);
}
