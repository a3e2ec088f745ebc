// `login` and `logout`. Login asks for the email and password and gets an API key through the
// web login page (its CSRF token, then the form posted with `next=/api/get_token`), exactly the
// flow of the Python CLI, so one account works with both; `--api-key K login` asks only for
// the email and checks it against the account. The result is ~/.onecodex, shared with Python.
import { CliError } from "../lib/errors.mjs";
import { collapseUser, credsFile, readCreds, removeCreds, savedAt, writeCreds } from "../lib/credentials.mjs";
import { prompt } from "../lib/prompt.mjs";

const CSRF_RE = /type="hidden" value="([^"]+)"/;

/** Cookies of a response, kept for the next request of the same login (a two-step form). */
function cookiesOf(res, jar) {
  const list = typeof res.headers.getSetCookie === "function" ? res.headers.getSetCookie() : [];
  for (const c of list) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    if (i > 0) jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** The API key for an email and password, or null when the server does not accept them. */
export async function fetchApiKey(server, email, password) {
  const jar = new Map();
  const page = await fetch(`${server}login`);
  const text = await page.text();
  const csrf = CSRF_RE.exec(text)?.[1];
  if (!csrf) throw new CliError("login_failed", `The login page of ${server} has no CSRF token`);
  const res = await fetch(`${server}login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", referer: `${server}login`, cookie: cookiesOf(page, jar) },
    body: new URLSearchParams({ email, password, csrf_token: csrf, next: "/api/get_token" }),
    redirect: "manual",
  });
  let location = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
  let final = res;
  // Following the redirect to `next` by hand, with the session cookie of the login.
  if (location) final = await fetch(new URL(location, server), { headers: { cookie: cookiesOf(res, jar) } });
  try {
    const key = (await final.json())?.key;
    return typeof key === "string" && key ? key : null;
  } catch {
    return null;
  }
}

const login = {
  name: "login",
  help: "Add an API key (saved in ~/.onecodex).",
  async run(ctx) {
    const server = ctx.baseUrl.endsWith("/") ? ctx.baseUrl : `${ctx.baseUrl}/`;
    const file = credsFile();
    const existing = readCreds(file);
    if (existing) {
      ctx.log(`Credentials file already exists (${collapseUser(file)}). Logout first.`);
      return;
    }
    const givenKey = ctx.globals["api-key"];
    const email = await prompt("Please enter your One Codex email");
    let apiKey = givenKey;
    if (!apiKey) {
      const password = await prompt("Please enter your password (typing will be hidden)", { hidden: true });
      ctx.secrets.push(password);
      apiKey = await fetchApiKey(server, email, password);
    }
    if (!apiKey) {
      throw new CliError("login_failed", "We could not verify your credentials. Please check your email and password again. If you have single sign-on (SSO) enabled, you must login with `onecodex --api-key $API_KEY login`. Please contact support@onecodex.com if you continue to experience problems.");
    }
    ctx.secrets.push(apiKey);
    writeCreds({ api_key: apiKey, saved_at: savedAt(), updated_at: null, email }, file);
    ctx.log(`Your ${collapseUser(file)} credentials file was successfully created.`);
    if (givenKey) {
      let account;
      try {
        account = await (await ctx.api()).account();
      } catch (e) {
        removeCreds(file);
        throw e;
      }
      if (account?.email !== email) {
        removeCreds(file);
        throw new CliError("login_failed", "Your login credentials do not match the provided email!");
      }
    }
  },
};

const logout = {
  name: "logout",
  help: "Delete an API key (saved in ~/.onecodex).",
  async run(ctx) {
    if (removeCreds()) ctx.log("Successfully removed One Codex credentials.");
    else throw new CliError("not_logged_in", "No One Codex API keys found.");
  },
};

export const authCommands = [login, logout];
