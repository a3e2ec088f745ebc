// Command-line parsing over `node:util` parseArgs: a tree of commands (groups hold subcommands,
// leaves run), Click's conventions kept so the Python CLI's command lines work unchanged:
// `--flag/--no-flag` pairs, repeatable options, `-md` (a two-letter short option, which
// parseArgs cannot declare), `-h/--help` on every command, usage errors exit 2.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.mjs";

export const PROG = "onecodex-wasm";
const HELP_OPTION = { type: "boolean", short: "h", help: "Show this message and exit." };

const ID_RE = /^[0-9a-f]{16}$/;

/** Click's OneCodexID type: 16 hex characters, trimmed and lower-cased. */
export function oneCodexId(value, what = "ID") {
  const v = String(value).trim().toLowerCase();
  if (!ID_RE.test(v)) {
    throw new UsageError(`Invalid value for '${what}': '${value}' is not a valid One Codex ID. IDs are 16-character hex strings (e.g. 'abc123def4567890').`);
  }
  return v;
}

/**
 * Click's INTEGER RANGE with a minimum: a whole number as Python's int() reads it (digits, a sign,
 * surrounding blanks; not `1.0`, `0x10` or `1e3`), at least `min`. Failures are bad usage.
 */
export function wholeAtLeast(min) {
  return (v) => {
    if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new Error(`'${v}' is not a valid integer.`);
    const n = Number(v);
    if (n < min) throw new Error(`${n} is not in the range x>=${min}.`);
    return n;
  };
}

/** `--max-threads` of `upload`, `documents upload` and `assets upload`: 1 or more, refused as bad
 *  usage otherwise (the Python CLI takes any integer and fails on 0 or less only once its thread
 *  pool starts). */
export const MAX_THREADS_OPTION = { type: "string", default: 4, metavar: "<int:threads>", help: "Specify a different max # of upload threads (defaults to 4)", parse: wholeAtLeast(1) };

export function commandPath(cmd) {
  const names = [];
  for (let c = cmd; c; c = c.parent) if (c.name) names.unshift(c.name);
  return [PROG, ...names].join(" ");
}

function link(cmd, parent) {
  cmd.parent = parent;
  for (const sub of cmd.subcommands ?? []) link(sub, cmd);
  return cmd;
}

/** Options of a command as parseArgs wants them: `--no-x` for negatable flags, `help` added. */
function parseArgsOptions(cmd) {
  const out = { help: HELP_OPTION };
  for (const [name, spec] of Object.entries(cmd.options ?? {})) {
    out[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
    if (spec.negatable) out[`no-${name}`] = { type: "boolean" };
  }
  return out;
}

// `-md k=v` and `-md=k=v` become `--metadata …`: parseArgs would read `-md` as `-m -d`.
function expandLongShorts(cmd, argv) {
  const longShorts = Object.entries(cmd.options ?? {}).filter(([, s]) => s.longShort);
  if (!longShorts.length) return argv;
  return argv.map((tok) => {
    for (const [name, spec] of longShorts) {
      const flag = `-${spec.longShort}`;
      if (tok === flag) return `--${name}`;
      if (tok.startsWith(`${flag}=`)) return `--${name}=${tok.slice(flag.length + 1)}`;
    }
    return tok;
  });
}

function usageMessage(err) {
  // parseArgs' messages name Node-specific remedies ("To specify a positional argument…").
  const m = /Unknown option '([^']+)'/.exec(err.message);
  if (m) return `No such option: ${m[1]}`;
  const a = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(err.message);
  if (a) return `Option '${a[1]}' requires an argument.`;
  const b = /Option '(?:-\w, )?(--[\w-]+)[^']*' does not take an argument/.exec(err.message);
  if (b) return `Option '${b[1]}' does not take a value.`;
  return err.message.split("\n")[0];
}

/** Values of a leaf command's options, with defaults, negatable flags resolved, checked. */
function parseLeaf(cmd, argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: expandLongShorts(cmd, argv), options: parseArgsOptions(cmd), allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(usageMessage(e), cmd);
  }
  const values = {};
  for (const [name, spec] of Object.entries(cmd.options ?? {})) {
    values[name] = spec.multiple ? [] : spec.default;
  }
  for (const tok of parsed.tokens) {
    if (tok.kind !== "option") continue;
    if (tok.name === "help") { values.help = true; continue; }
    if (tok.name.startsWith("no-") && cmd.options?.[tok.name.slice(3)]?.negatable) { values[tok.name.slice(3)] = false; continue; }
    const spec = cmd.options[tok.name];
    let v = spec.type === "boolean" ? true : tok.value;
    if (spec.parse) {
      try { v = spec.parse(v); } catch (e) { throw new UsageError(`Invalid value for '--${tok.name}': ${e.message}`, cmd); }
    }
    if (spec.multiple) values[tok.name].push(v);
    else values[tok.name] = v;
  }
  if (values.help) return { values, args: [] };
  for (const [name, spec] of Object.entries(cmd.options ?? {})) {
    if (spec.required && values[name] === undefined) throw new UsageError(`Missing option '--${name}'.`, cmd);
  }
  return { values, args: checkPositionals(cmd, parsed.positionals) };
}

function checkPositionals(cmd, positionals) {
  const specs = cmd.args ?? [];
  const variadic = specs.find((s) => s.variadic);
  const fixed = specs.filter((s) => !s.variadic);
  const required = fixed.filter((s) => s.required !== false).length + (variadic?.required ? 1 : 0);
  if (positionals.length < required) {
    const missing = specs.filter((s) => s.required !== false)[Math.min(positionals.length, required - 1)] ?? specs[0];
    throw new UsageError(`Missing argument '${missing.name}'.`, cmd);
  }
  if (!variadic && positionals.length > fixed.length) {
    throw new UsageError(`Got unexpected extra argument${positionals.length - fixed.length > 1 ? "s" : ""} (${positionals.slice(fixed.length).join(" ")})`, cmd);
  }
  const out = {};
  let i = 0;
  for (const s of specs) {
    if (s.variadic) {
      const after = specs.length - specs.indexOf(s) - 1; // fixed arguments after the variadic one
      const n = positionals.length - i - after;
      const taken = positionals.slice(i, i + Math.max(n, 0));
      i += taken.length;
      out[s.key ?? s.name.toLowerCase()] = s.type === "id" ? taken.map((v) => oneCodexId(v, s.name)) : taken;
    } else {
      const v = positionals[i++];
      out[s.key ?? s.name.toLowerCase()] = v === undefined ? undefined : s.type === "id" ? oneCodexId(v, s.name) : v;
    }
  }
  return out;
}

/** The usage line and help text of a command, as Click lays it out. */
export function helpText(cmd) {
  const argsPart = (cmd.args ?? []).map((s) => (s.variadic ? `${s.required ? s.name : `[${s.name}]`}...` : s.required === false ? `[${s.name}]` : s.name)).join(" ");
  const subs = cmd.subcommands ?? [];
  const lines = [`Usage: ${commandPath(cmd)} [OPTIONS]${argsPart ? ` ${argsPart}` : ""}${subs.length ? " COMMAND [ARGS]..." : ""}`, ""];
  if (cmd.help) lines.push(...cmd.help.split("\n").map((l) => (l ? `  ${l}` : "")), "");
  const rows = [];
  for (const [name, spec] of Object.entries(cmd.globalOptions ?? cmd.options ?? {})) {
    const flags = [spec.short ? `-${spec.short}` : spec.longShort ? `-${spec.longShort}` : null, spec.negatable ? `--${name} / --no-${name}` : `--${name}`].filter(Boolean).join(", ");
    rows.push([spec.type === "string" ? `${flags} ${spec.metavar ?? "TEXT"}` : flags, spec.help ?? ""]);
  }
  rows.push(["-h, --help", HELP_OPTION.help]);
  lines.push("Options:", ...table(rows), "");
  if (subs.length) lines.push("Commands:", ...table(subs.filter((s) => !s.hidden).map((s) => [s.name, (s.summary ?? s.help ?? "").split("\n")[0]])), "");
  return lines.join("\n");
}

function table(rows) {
  const w = Math.min(32, Math.max(...rows.map(([a]) => a.length)));
  return rows.map(([a, b]) => (a.length > w ? `  ${a}\n  ${" ".repeat(w)}  ${b}` : `  ${a.padEnd(w)}  ${b}`));
}

/**
 * Walks argv down the command tree. Returns `{ cmd, values, args }` for a leaf (or a group whose
 * own `run` takes arguments, like `analyses [IDS]...`), `{ cmd, help: true }` when help is asked.
 */
export function resolve(root, argv) {
  link(root, null);
  let cmd = root;
  let rest = argv;
  for (;;) {
    const subs = cmd.subcommands ?? [];
    if (!subs.length) break;
    // A group that also takes arguments dispatches on the first token naming a subcommand.
    const at = cmd.run ? rest.findIndex((t) => subs.some((s) => s.name === t)) : rest.findIndex((t) => !t.startsWith("-"));
    if (at < 0) {
      if (cmd.run) break;
      const { values } = parseLeaf({ ...cmd, args: [] }, rest);
      return { cmd, help: true, toStderr: !values.help };
    }
    const sub = subs.find((s) => s.name === rest[at]);
    if (!sub) throw new UsageError(`No such command '${rest[at]}'.`, cmd);
    const before = rest.slice(0, at);
    if (cmd.run) {
      // `analyses ID await`: the IDs before the subcommand are accepted and ignored, as in Python.
      parseLeaf(cmd, before);
    } else if (before.length) {
      const { values } = parseLeaf({ ...cmd, args: [] }, before);
      if (values.help) return { cmd, help: true };
    }
    cmd = sub;
    rest = rest.slice(at + 1);
  }
  const { values, args } = parseLeaf(cmd, rest);
  if (values.help) return { cmd, help: true };
  return { cmd, values, args };
}

/** Splits the global options (before the command) from the rest. */
export function splitGlobals(argv, globalOptions) {
  const values = {};
  for (const [name, spec] of Object.entries(globalOptions)) values[name] = spec.default;
  let i = 0;
  for (; i < argv.length; i++) {
    const tok = argv[i];
    if (!tok.startsWith("-") || tok === "-") break;
    const [flag, inline] = tok.startsWith("--") && tok.includes("=") ? [tok.slice(0, tok.indexOf("=")), tok.slice(tok.indexOf("=") + 1)] : [tok, undefined];
    if (flag === "-h" || flag === "--help") { values.help = true; continue; }
    const entry = Object.entries(globalOptions).find(([name, s]) => flag === `--${name}` || (s.short && flag === `-${s.short}`) || (s.negatable && flag === `--no-${name}`));
    if (!entry) throw new UsageError(`No such option: ${flag}`);
    const [name, spec] = entry;
    if (spec.type === "string") {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`Option '--${name}' requires an argument.`);
      values[name] = spec.parse ? spec.parse(v) : v;
    } else {
      if (inline !== undefined) throw new UsageError(`Option '--${name}' does not take a value.`);
      values[name] = flag !== `--no-${name}`;
    }
  }
  return { values, rest: argv.slice(i) };
}
