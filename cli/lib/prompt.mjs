// Interactive questions on the terminal (Click's `prompt` and `confirm`): the question on
// stderr, so stdout keeps only data; hidden input for passwords (raw mode, nothing echoed).
import { CliError } from "./errors.mjs";

let buffered = "";
let ended = false;
let waiting = null;

// One reader for the whole run: several questions may be answered from one piped stdin.
function attach() {
  if (attach.done) return;
  attach.done = true;
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => { buffered += chunk; wake(); });
  process.stdin.on("end", () => { ended = true; wake(); });
}

function wake() {
  if (waiting) { const w = waiting; waiting = null; w(); }
}

// The question is written once the terminal is in raw mode: typing that comes right after the
// question is then never echoed.
async function readLine({ hidden, question }) {
  attach();
  const tty = process.stdin.isTTY;
  if (tty && hidden) process.stdin.setRawMode(true);
  process.stderr.write(question);
  process.stdin.resume();
  try {
    for (;;) {
      if (tty && hidden) {
        // Raw mode: handle Enter, Backspace and Ctrl-C ourselves.
        for (let i = 0; i < buffered.length; i++) {
          const c = buffered[i];
          if (c === "\r" || c === "\n") { const line = buffered.slice(0, i); buffered = buffered.slice(i + 1); return line; }
          if (c === "\u0003") { process.stderr.write("\n"); throw new CliError("aborted", "Aborted!"); }
          if (c === "\u007f" || c === "\b") { buffered = buffered.slice(0, Math.max(0, i - 1)) + buffered.slice(i + 1); i = Math.max(-1, i - 2); }
        }
      } else {
        const nl = buffered.indexOf("\n");
        if (nl >= 0) { const line = buffered.slice(0, nl).replace(/\r$/, ""); buffered = buffered.slice(nl + 1); return line; }
      }
      if (ended) {
        if (buffered) { const line = buffered; buffered = ""; return line; }
        throw new CliError("aborted", "Aborted!");
      }
      await new Promise((r) => { waiting = r; });
    }
  } finally {
    if (tty && hidden) { process.stdin.setRawMode(false); process.stderr.write("\n"); }
    process.stdin.pause();
  }
}

/** Asks until a non-empty answer (as Click does); Enter alone takes `default` when there is one. */
export async function prompt(question, { hidden = false, default: fallback } = {}) {
  for (;;) {
    const answer = (await readLine({ hidden, question: `${question}: ` })).trim();
    if (answer) return answer;
    if (fallback !== undefined) return fallback;
  }
}

/** Click's `confirm`: y/yes or n/no, Enter takes the default. */
export async function confirm(question, { defaultYes = false } = {}) {
  for (;;) {
    const a = (await readLine({ hidden: false, question: `${question} [${defaultYes ? "Y/n" : "y/N"}]: ` })).trim().toLowerCase();
    if (!a) return defaultYes;
    if (a === "y" || a === "yes") return true;
    if (a === "n" || a === "no") return false;
    process.stderr.write("Error: invalid input\n");
  }
}
