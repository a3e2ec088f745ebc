// Errors in words a person can act on; the code decides the advice, the message adds detail.
const ADVICE = {
  unauthorized: "The API key was refused. Check it and connect again.",
  forbidden: "This account may not see or change that.",
  payment_required: "The account needs a payment method or a premium plan for this.",
  not_found: "It does not exist (any more).",
  rate_limited: "The API is rate limiting requests; wait a minute and try again.",
  network: "Cannot reach the API: check the URL and your connection (offline?).",
  timeout: "The API took too long to answer; try again.",
  server: "The One Codex server had a problem; try again later.",
  invalid_filter: "That filter cannot be sent:",
  invalid_argument: "That input is not valid:",
  invalid_file: "That file cannot be uploaded:",
  aborted: "Stopped.",
};

export function describeError(e) {
  if (!e || e.name !== "OneCodexError") return `Unexpected error: ${e?.message ?? e}`;
  const advice = ADVICE[e.code] ?? "Something went wrong:";
  return advice.endsWith(":") ? `${advice} ${e.message}` : `${advice} (${e.code}${e.status ? `, HTTP ${e.status}` : ""})`;
}
