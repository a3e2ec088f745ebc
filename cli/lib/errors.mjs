// The CLI's failures and how they end the process: exit 1 for a failure, 2 for bad usage, with
// the error code and message on stderr (never a credential).

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the user must act on: printed as `Error [code]: message`, exit 1. */
export class CliError extends Error {
  constructor(code, message, { exitCode = EXIT_FAILURE, hint } = {}) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad usage (unknown option, missing or malformed argument): the usage line goes with it, exit 2. */
export class UsageError extends CliError {
  constructor(message, command) {
    super("usage", message, { exitCode: EXIT_USAGE });
    this.command = command;
  }
}

// Keys and tokens are never printed, whatever a message from below carries.
export function redact(text, secrets) {
  let out = String(text);
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join("[redacted]");
  return out;
}

/** The one line (or two) a failure prints on stderr, and the exit status it ends with. */
export function describeFailure(e) {
  if (e instanceof CliError) return { code: e.code, message: e.message, exitCode: e.exitCode, hint: e.hint };
  // OneCodexError from the package: `code` is its ErrorCode, `status` the HTTP status if any.
  if (e && typeof e === "object" && typeof e.code === "string" && typeof e.message === "string") {
    return { code: e.code, message: e.status ? `${e.message} (HTTP ${e.status})` : e.message, exitCode: EXIT_FAILURE };
  }
  if (e && e.code === "ENOENT") return { code: "file_not_found", message: e.message, exitCode: EXIT_FAILURE };
  return { code: "internal", message: e instanceof Error ? e.message : String(e), exitCode: EXIT_FAILURE };
}
