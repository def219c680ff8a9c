// The client against the real server: `usernames serve` on the embedded store, started here on
// a free port and stopped in `after`, also when a test fails. Sign-ups go through serve's
// Lambda Invoke API, as cognito-local would send them.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";

import { createUsernamesClient, parseSignUpError, UsernamesApiError, type Availability } from "../src/index.js";
import { openapiPath, readCatalogue } from "./catalogue.js";
import { repoRoot } from "./paths.js";

/** The server binary: USERNAMES_BIN, else the workspace's debug build. */
function binary(): string {
  const fromEnv = process.env["USERNAMES_BIN"];
  if (fromEnv) return resolve(fromEnv);
  const target = process.env["CARGO_TARGET_DIR"] ? resolve(process.env["CARGO_TARGET_DIR"]) : join(repoRoot, "target");
  return join(target, "debug", "usernames");
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once("error", fail).listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

const catalogue = readCatalogue();
/** A catalogue sentence (the example's arguments are the server's defaults: min 3). */
function sentence(code: string, locale: string): string {
  const text = catalogue.messages[code]?.example.text[locale];
  assert.ok(text, `no ${locale} sentence for ${code} in the catalogue`);
  return text;
}

let server: ChildProcess | undefined;
let output = "";
let base = "";

async function start(): Promise<void> {
  const bin = binary();
  if (!existsSync(bin)) {
    throw new Error(
      `the server binary ${bin} is missing: build it (cargo build -p usernames, or cargo test --workspace) ` +
        "or set USERNAMES_BIN to its path",
    );
  }
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The embedded store and the default policy, whatever the caller's shell has set.
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: "true" };
  for (const name of Object.keys(env)) if (name.startsWith("USERNAMES_")) delete env[name];
  env["AWS_REGION"] ??= "eu-west-1";
  const child = spawn(bin, ["serve", "--addr", `127.0.0.1:${port}`], { env, stdio: ["ignore", "pipe", "pipe"] });
  server = child;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  process.once("exit", () => child.kill("SIGKILL"));

  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `exited (${signal ?? code})`;
  });
  child.once("error", (error) => {
    exited = `could not start: ${error.message}`;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`usernames serve ${exited} before it listened:\n${output}`);
    try {
      const reply = await fetch(`${base}/v1/usernames/probe`);
      if (reply.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`usernames serve did not listen on ${base} within 30 s:\n${output}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

async function stop(): Promise<void> {
  const child = server;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killed);
}

/** A Cognito trigger event through serve's Lambda Invoke API, as cognito-local sends it. */
async function invoke(fn: string, event: unknown): Promise<{ error: string | null; payload: Record<string, unknown> }> {
  const reply = await fetch(`${base}/2015-03-31/functions/${fn}/invocations`, {
    method: "POST",
    body: JSON.stringify(event),
  });
  assert.equal(reply.status, 200, `invoke ${fn}`);
  return { error: reply.headers.get("x-amz-function-error"), payload: (await reply.json()) as Record<string, unknown> };
}

const pool = {
  version: "1",
  region: "eu-west-1",
  userPoolId: "eu-west-1_Xy7Kp2Lm9",
  callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: "4f9k2j7h1m3n5p8q0r6s2t4u1v" },
};

function preSignUp(userName: string, name: string, locale: string) {
  return {
    ...pool,
    triggerSource: "PreSignUp_SignUp",
    userName,
    request: {
      userAttributes: { email: `${userName}@example.com`, preferred_username: name },
      validationData: null,
      clientMetadata: { locale },
    },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  };
}

function postConfirmation(userName: string, name: string) {
  const email = `${userName}@example.com`;
  return {
    ...pool,
    triggerSource: "PostConfirmation_ConfirmSignUp",
    userName,
    request: {
      userAttributes: {
        sub: userName,
        email_verified: "true",
        "cognito:user_status": "CONFIRMED",
        "cognito:email_alias": email,
        preferred_username: name,
        email,
      },
    },
    response: {},
  };
}

/** A user signs up with `name` and confirms, as through Cognito. */
async function signUp(name: string): Promise<void> {
  const userName = randomUUID();
  const pre = await invoke("pre-sign-up", preSignUp(userName, name, "en"));
  assert.equal(pre.error, null, `pre-sign-up of ${name}: ${JSON.stringify(pre.payload)}`);
  const post = await invoke("post-confirmation", postConfirmation(userName, name));
  assert.equal(post.error, null, `post-confirmation of ${name}: ${JSON.stringify(post.payload)}`);
}

/** What a refused sign-up's trigger said, wrapped as Cognito and as cognito-local wrap it. */
async function refusedSignUp(name: string, locale: string): Promise<{ cognito: string; cognitoLocal: string }> {
  const refused = await invoke("pre-sign-up", preSignUp(randomUUID(), name, locale));
  assert.equal(refused.error, "Unhandled", JSON.stringify(refused.payload));
  const message = refused.payload["errorMessage"];
  assert.equal(typeof message, "string");
  return {
    cognito: `PreSignUp failed with error ${String(message)}.`,
    cognitoLocal: `pre-sign-up failed with error ${String(message)}.`,
  };
}

/** `count` random lowercase ASCII letters: a name of this run only. */
function letters(count: number): string {
  return Array.from(randomBytes(count), (byte) => String.fromCharCode(97 + (byte % 26))).join("");
}

async function failure(promise: Promise<unknown>): Promise<UsernamesApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UsernamesApiError, `not a UsernamesApiError: ${String(error)}`);
    return error;
  }
  assert.fail("the request did not fail");
}

function unavailable(answer: Availability) {
  assert.equal(answer.available, false, JSON.stringify(answer));
  if (answer.available) throw new Error("unreachable");
  return answer;
}

describe("against usernames serve", () => {
  // In the suite, so that a server that cannot start fails it, and `after` stops the server
  // whatever the tests did.
  before(start);
  after(stop);
  const client = () => createUsernamesClient({ baseUrl: base });

  test("a free name is available", async () => {
    assert.deepEqual(await client().checkAvailability("Melody"), { name: "Melody", available: true });
  });

  test("too short: too_short with a sentence, in English by default", async () => {
    const answer = unavailable(await client().checkAvailability("ab"));
    assert.equal(answer.code, "too_short");
    assert.equal(answer.message, sentence("too_short", "en"));
    assert.equal(answer.language, "en");
    assert.equal(answer.name, "ab");
  });

  test("fullwidth letters: not_display_form, suggesting the name as it must be written", async () => {
    const answer = unavailable(await client().checkAvailability("ｍｅｌｏｄｙ"));
    assert.equal(answer.code, "not_display_form");
    assert.equal(answer.suggestion, "melody");
    assert.equal(answer.message, 'Write it as "\u2068melody\u2069".');
  });

  test("language: 'de' gets German, and Content-Language says so", async () => {
    const german = createUsernamesClient({ baseUrl: base, language: "de" });
    const answer = unavailable(await german.checkAvailability("ab"));
    assert.equal(answer.code, "too_short");
    assert.equal(answer.message, sentence("too_short", "de"));
    assert.equal(answer.language, "de");
    // A list, best first: Brazilian Portuguese falls back to Portuguese.
    const list = createUsernamesClient({ baseUrl: base, language: ["pt-BR", "en"] });
    const portuguese = unavailable(await list.checkAvailability("ab"));
    assert.equal(portuguese.language, "pt");
    assert.equal(portuguese.message, sentence("too_short", "pt"));
  });

  test("rename and release without a token: the API's 401 unauthorized, in the user's language", async () => {
    const error = await failure(client().rename("x"));
    assert.equal(error.status, 401);
    assert.equal(error.code, "unauthorized");
    assert.equal(error.source, "api");
    assert.equal(error.message, sentence("unauthorized", "en"));
    assert.equal(error.language, "en");

    const german = createUsernamesClient({ baseUrl: base, language: "de", getToken: async () => undefined });
    const released = await failure(german.releaseName());
    assert.deepEqual([released.status, released.code, released.source], [401, "unauthorized", "api"]);
    assert.equal(released.message, sentence("unauthorized", "de"));
  });

  test("an invalid token: 401 unauthorized from the API (serve checks tokens itself)", async () => {
    const withBadToken = createUsernamesClient({ baseUrl: base, getToken: () => "not-a-jwt" });
    const error = await failure(withBadToken.rename("Melody"));
    assert.deepEqual([error.status, error.code, error.source], [401, "unauthorized", "api"]);
  });

  test("a body over 4 KiB: 413 body_too_large", async () => {
    const error = await failure(client().rename("x".repeat(5000)));
    assert.deepEqual([error.status, error.code, error.source], [413, "body_too_large", "api"]);
    assert.equal(error.message, sentence("body_too_large", "en"));
  });

  test("a name someone signed up with: name_taken with free suggestions; the trigger refuses it alike", async () => {
    // Letters only: digits in the name could make every suggestion look like a phone number
    // (`Aurora_b11495` + `17`), and the server then rightly offers none.
    const name = `Aurora_${letters(6)}`;
    assert.equal((await client().checkAvailability(name)).available, true);
    await signUp(name);

    const answer = unavailable(await client().checkAvailability(name));
    assert.equal(answer.code, "name_taken");
    assert.equal(answer.message, sentence("name_taken", "en"));
    const suggestions = answer.suggestions ?? [];
    assert.ok(suggestions.length >= 1 && suggestions.length <= 3, JSON.stringify(answer));
    for (const suggestion of suggestions) {
      assert.equal(typeof suggestion, "string");
      assert.deepEqual(await client().checkAvailability(suggestion), { name: suggestion, available: true }, suggestion);
    }
    // A look-alike is the same name.
    assert.equal(unavailable(await client().checkAvailability(name.toLowerCase())).code, "name_taken");

    // Someone else signing up with it, in Japanese: the sentence the API gives in Japanese.
    const japanese = unavailable(await createUsernamesClient({ baseUrl: base, language: "ja" }).checkAvailability(name));
    const refused = await refusedSignUp(name, "ja");
    for (const wrapped of [refused.cognito, refused.cognitoLocal]) {
      const error = Object.assign(new Error(wrapped), { name: "UserLambdaValidationException" });
      assert.deepEqual(parseSignUpError(error), { code: "name_taken", message: japanese.message, locale: "ja" }, wrapped);
    }
    assert.equal(japanese.message, sentence("name_taken", "ja"));
  });

  test("a sign-up the policy refuses, in Arabic and Hindi: the same code and sentence as the API's", async () => {
    for (const [locale, name, code] of [
      ["ar", "ab", "too_short"],
      ["hi", "ab", "too_short"],
      ["ar", "ｍｅｌｏｄｙ", "not_display_form"],
      ["de", "ｍｅｌｏｄｙ", "not_display_form"],
    ] as const) {
      const api = unavailable(await createUsernamesClient({ baseUrl: base, language: locale }).checkAvailability(name));
      assert.equal(api.code, code);
      const refused = await refusedSignUp(name, locale);
      const parsed = parseSignUpError({ __type: "UserLambdaValidationException", message: refused.cognito });
      assert.equal(parsed?.code, code, refused.cognito);
      assert.equal(parsed?.message, api.message, refused.cognito);
      assert.equal(parseSignUpError(refused.cognitoLocal)?.message, api.message);
    }
  });

  test("the OpenAPI document served is the one in the repository", async () => {
    const served = await client().openApi();
    assert.deepEqual(served, JSON.parse(readFileSync(openapiPath, "utf8")));
  });
});
