/**
 * A client for the cognito-usernames HTTP API, and a reader of the refusals Cognito's sign-up
 * returns, for apps (an Amplify React app, React Native, any runtime with `fetch`).
 *
 * It has no runtime dependencies on purpose: it sits in a sign-up form's bundle, and the
 * contract it follows is small (docs/api.md, shared/src/api/openapi.json). Codes, locales and
 * the code pattern come from `./codes.js`, generated from the server's own catalogue so they
 * cannot drift.
 *
 * @packageDocumentation
 */

import {
  CODE_PATTERN,
  CODES,
  RIGHT_TO_LEFT_LOCALES,
  type ApiErrorCode,
  type Code,
  type Locale,
  type PolicyCode,
} from "./codes.js";

export * from "./codes.js";

// ---------------------------------------------------------------------------------------------
// Options and results
// ---------------------------------------------------------------------------------------------

/**
 * Gives the signed-in user's access or ID token, or nothing when nobody is signed in.
 *
 * A function rather than a token, because tokens expire and are refreshed behind the app's
 * back (Amplify's `fetchAuthSession()` refreshes them): asking at each request sends a fresh
 * one. Called only for the routes that need a user (`rename`, `releaseName`), so a live
 * availability check never waits for the session. An error it throws reaches the caller as it
 * is: it is the app's auth library speaking, not this API.
 */
export type TokenSource = () => string | null | undefined | Promise<string | null | undefined>;

/**
 * The languages the user reads, best first: a BCP 47 tag (`"de"`, `"pt-BR"`), a list of them,
 * or a whole `Accept-Language` value (`"de-CH, de;q=0.9"`).
 */
export type Languages = string | readonly string[];

/** The part of `fetch` the client uses, so that a test, a polyfill or an instrumented fetch fits. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** How to reach the API and as whom. */
export interface UsernamesClientOptions {
  /**
   * The API's base URL: the stack's `ApiUrl` output, `custom.usernamesApi.url` in
   * `amplify_outputs.json`, or `usernames serve`'s address (`http://127.0.0.1:3001`). A stage
   * path and a trailing slash are fine.
   */
  readonly baseUrl: string | URL;
  /** The signed-in user's token, for `rename` and `releaseName` (see {@link TokenSource}). */
  readonly getToken?: TokenSource | undefined;
  /** The `fetch` to use; the global one when absent (bound at each call, so a later polyfill counts). */
  readonly fetch?: FetchFunction | undefined;
  /**
   * The language of the server's sentences, sent as `Accept-Language`. A function is asked at
   * each request, so an app whose user switches language needs no new client. Absent, a browser
   * sends its own languages; other runtimes get the server's default.
   */
  readonly language?: Languages | (() => Languages | undefined) | undefined;
}

/** Per request. */
export interface RequestOptions {
  /**
   * Cancels the request: a live availability check aborts the previous one, so that a slow
   * answer for `mel` never overwrites the answer for `melody`. It rejects with code `aborted`.
   */
  readonly signal?: AbortSignal | undefined;
}

/** Why a name is not available: a policy refusal, or someone holds it. */
export type UnavailableCode = PolicyCode | "name_taken";

/** Nobody holds the name and the policy admits it (advice: the sign-up or rename decides). */
export interface Available {
  /** The name as it would be shown (its display form). */
  readonly name: string;
  readonly available: true;
}

/** The name cannot be taken now. */
export interface Unavailable {
  /** The display form, or the name as asked when the policy refuses it. */
  readonly name: string;
  readonly available: false;
  /** Stable, for programs: pick a field's state or an icon from it, not from `message`. */
  readonly code: UnavailableCode;
  /** A sentence to show the user as it is, in the language `language` names. */
  readonly message: string;
  /** `not_display_form` only: the name as it must be written, which passes every rule; offer it. */
  readonly suggestion?: string;
  /** `name_taken` only: up to three names like it that pass the policy and were free when asked. */
  readonly suggestions?: readonly string[];
  /** The language of `message` (`Content-Language`), for the element's `lang` and `dir`. */
  readonly language?: string;
}

/** The answer of {@link UsernamesClient.checkAvailability}. */
export type Availability = Available | Unavailable;

/** The answer of {@link UsernamesClient.rename}. */
export interface Renamed {
  /** The name now the caller's (its display form): show this, not what was typed. */
  readonly username: string;
  /** The name the caller had, now in quarantine for them; `null` when they had none. */
  readonly previous: string | null;
}

/** The answer of {@link UsernamesClient.releaseName}. */
export interface Released {
  /** The name given up, now in quarantine for the caller; `null` when they had none. */
  readonly previous: string | null;
}

/** The API's OpenAPI 3.1 document, as served (only what every such document has is typed). */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** The API's routes. Every method rejects with a {@link UsernamesApiError}, and nothing else. */
export interface UsernamesClient {
  /**
   * Whether a sign-up or rename could take `name` now: `GET /v1/usernames/{name}`. Public: no
   * token is asked for. A policy refusal or a taken name is an answer (`available: false`), not
   * an error, because a form shows it as the field's state.
   */
  checkAvailability(name: string, options?: RequestOptions): Promise<Availability>;
  /**
   * Takes `username` as the signed-in user's name: `PUT /v1/me/username`. The new name is in
   * the user's next tokens, so refresh them afterwards (`fetchAuthSession({ forceRefresh: true })`)
   * to show it at once.
   */
  rename(username: string, options?: RequestOptions): Promise<Renamed>;
  /** Gives the signed-in user's name up (into quarantine for them): `DELETE /v1/me/username`. */
  releaseName(options?: RequestOptions): Promise<Released>;
  /** The API's OpenAPI document, `GET /v1/openapi.json`: for tools, and to see what a server speaks. */
  openApi(options?: RequestOptions): Promise<OpenApiDocument>;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * Who answered. Apps treat them differently, and the same status means different things:
 *
 * - `api`: the API's function, with its `{code, message}` body: `code` is one of
 *   {@link ApiErrorCode} and `message` a sentence in the user's language, to show as it is.
 * - `gateway`: an HTTP answer that is not the API's: API Gateway's own, before the function ran
 *   (`{"message":"Unauthorized"}` from the JWT authorizer, `{"message":"Too Many Requests"}`
 *   from throttling, an integration's 5xx), or anything else between the app and the function
 *   (a proxy's HTML 502, a wrong `baseUrl` serving the app's own `index.html`). Its `message`
 *   is for developers and logs, in English: show the user a sentence of the app's own.
 * - `client`: no HTTP answer at all: the request could not be sent or finish (offline, DNS,
 *   CORS, a reset connection), was aborted, or cannot be expressed (`unsendable_name`).
 */
export type ErrorSource = "api" | "gateway" | "client";

/**
 * The codes of answers without an API error body, named apart from the API's own so that a
 * `switch` on `code` never mistakes one for the other:
 *
 * - `gateway_unauthorized`: 401 from the gateway: the token is missing, expired or for another
 *   app client. Refresh the session or sign in again (the API's own `unauthorized` says the
 *   same about a token the gateway let through, e.g. a machine's token).
 * - `gateway_throttled`: 429 from the gateway's throttling: back off and retry. Not the
 *   API's `rename_cooldown`, which says the user must wait hours, not milliseconds.
 * - `gateway_error`: any other status without an API error body (5xx from a proxy, 403/404
 *   from the gateway); usually transient or a deployment problem.
 * - `unexpected_response`: a 2xx whose body is not what the route answers: almost always a
 *   wrong `baseUrl`.
 */
export type GatewayErrorCode =
  | "gateway_unauthorized"
  | "gateway_throttled"
  | "gateway_error"
  | "unexpected_response";

/**
 * The codes of requests that got no answer:
 *
 * - `network_error`: `fetch` rejected (offline, DNS, CORS refused, connection reset); `cause`
 *   holds its error.
 * - `aborted`: the request's `signal` aborted it: usually ignore it.
 * - `unsendable_name`: the name is `.` or `..`, which no `fetch` can put in a URL path (dot
 *   segments are removed, also percent-encoded). No policy admits such a name (it has no
 *   letter), so treat it as not available.
 */
export type ClientErrorCode = "network_error" | "aborted" | "unsendable_name";

/** Every code a {@link UsernamesApiError} can have. */
export type UsernamesErrorCode = ApiErrorCode | GatewayErrorCode | ClientErrorCode;

/** What a {@link UsernamesApiError} is made of. */
export interface UsernamesApiErrorInit {
  readonly status: number;
  readonly code: UsernamesErrorCode;
  readonly message: string;
  readonly source: ErrorSource;
  readonly suggestion?: string;
  readonly suggestions?: readonly string[];
  readonly retryAfter?: number;
  readonly language?: string;
  readonly cause?: unknown;
}

/**
 * Every way a request of the client fails. One class, so that one `catch` handles them all;
 * `source` and `code` say what happened (see {@link ErrorSource}).
 */
export class UsernamesApiError extends Error {
  override readonly name = "UsernamesApiError";
  /** The HTTP status; 0 when there was no answer (`source: 'client'`). */
  readonly status: number;
  /**
   * Stable, for programs. With `source: 'api'`, the server's code as sent: a server newer than
   * this client's `codes.ts` may send one outside {@link ApiErrorCode} (`isCode` tells).
   */
  readonly code: UsernamesErrorCode;
  readonly source: ErrorSource;
  /** `not_display_form` (422): the name as it must be written. */
  declare readonly suggestion?: string;
  /** `name_taken` (409): free names like it. */
  declare readonly suggestions?: readonly string[];
  /**
   * Seconds until a retry makes sense, from `Retry-After` (seconds or an HTTP date): with
   * `rename_cooldown`, when the user may rename again. Absent when the answer had none, as
   * API Gateway's throttling answers do.
   */
  declare readonly retryAfter?: number;
  /** The language of `message` (`Content-Language`); absent from the gateway's own answers. */
  declare readonly language?: string;

  constructor(init: UsernamesApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.source = init.source;
    // Only what the answer had: `"suggestion" in error` and deepEqual then mean something.
    const self = this as { -readonly [K in keyof UsernamesApiError]: UsernamesApiError[K] };
    if (init.suggestion !== undefined) self.suggestion = init.suggestion;
    if (init.suggestions !== undefined) self.suggestions = init.suggestions;
    if (init.retryAfter !== undefined) self.retryAfter = init.retryAfter;
    if (init.language !== undefined) self.language = init.language;
  }
}

/**
 * Whether `error` is a {@link UsernamesApiError}, also when two copies of this module are
 * bundled (where `instanceof` fails).
 */
export function isUsernamesApiError(error: unknown): error is UsernamesApiError {
  if (error instanceof UsernamesApiError) return true;
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<string, unknown>;
  return (
    e["name"] === "UsernamesApiError" &&
    typeof e["code"] === "string" &&
    typeof e["status"] === "number" &&
    (e["source"] === "api" || e["source"] === "gateway" || e["source"] === "client")
  );
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/** Creates a client; it keeps no state between requests, so one per app is enough. */
export function createUsernamesClient(options: UsernamesClientOptions): UsernamesClient {
  const base = String(options.baseUrl).replace(/\/+$/, "");
  const fetchFunction: FetchFunction =
    options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  /** Sends a request; resolves with a 2xx answer, rejects with a {@link UsernamesApiError}. */
  async function call(
    method: "GET" | "PUT" | "DELETE",
    path: string,
    init: { readonly body?: unknown; readonly signedIn?: boolean; readonly signal?: AbortSignal | undefined },
  ): Promise<Answer> {
    const url = base + path;
    const headers: Record<string, string> = { Accept: "application/json" };
    const language = acceptLanguage(
      typeof options.language === "function" ? options.language() : options.language,
    );
    if (language !== undefined) headers["Accept-Language"] = language;
    if (init.signedIn === true && options.getToken !== undefined) {
      const token = await options.getToken();
      // No token, no header: the API answers 401 `unauthorized` in the user's language,
      // which is the right thing to show someone not signed in.
      if (token) headers["Authorization"] = `Bearer ${token}`;
    }
    const request: RequestInit = { method, headers };
    if (init.body !== undefined) {
      headers["Content-Type"] = "application/json";
      request.body = JSON.stringify(init.body);
    }
    if (init.signal !== undefined) request.signal = init.signal;

    let response: Response;
    let text: string;
    try {
      response = await fetchFunction(url, request);
      text = await response.text();
    } catch (cause) {
      throw noAnswer(cause, method, url, init.signal);
    }
    const body = parseJson(text);
    if (!response.ok) throw errorOf(response, body, text);
    const contentLanguage = response.headers.get("Content-Language")?.trim();
    return { status: response.status, text, body, ...(contentLanguage ? { language: contentLanguage } : {}) };
  }

  /** The answer read as `what`; a 2xx of another shape is a wrong `baseUrl`, said as such. */
  function expect<T>(answer: Answer, read: (body: Record<string, unknown>, answer: Answer) => T | undefined, what: string): T {
    const result = isRecord(answer.body) ? read(answer.body, answer) : undefined;
    if (result !== undefined) return result;
    throw new UsernamesApiError({
      status: answer.status,
      code: "unexpected_response",
      source: "gateway",
      message: `HTTP ${answer.status} is not ${what}; is ${base} the usernames API? It answered: ${shorten(answer.text) || "(no body)"}`,
    });
  }

  return {
    async checkAvailability(name, requestOptions) {
      const segment = pathSegment(name);
      const answer = await call("GET", `/v1/usernames/${segment}`, { signal: requestOptions?.signal });
      return expect(answer, readAvailability, "an availability");
    },

    async rename(username, requestOptions) {
      const answer = await call("PUT", "/v1/me/username", {
        body: { username: wellFormed(username) },
        signedIn: true,
        signal: requestOptions?.signal,
      });
      return expect(answer, readRenamed, "a rename's answer");
    },

    async releaseName(requestOptions) {
      const answer = await call("DELETE", "/v1/me/username", { signedIn: true, signal: requestOptions?.signal });
      return expect(answer, readReleased, "a release's answer");
    },

    async openApi(requestOptions) {
      const answer = await call("GET", "/v1/openapi.json", { signal: requestOptions?.signal });
      return expect(answer, readOpenApi, "an OpenAPI document");
    },
  };
}

/** A 2xx answer: its body parsed (`undefined` when not JSON), and what the error needs. */
interface Answer {
  readonly status: number;
  readonly text: string;
  readonly body: unknown;
  readonly language?: string;
}

function readAvailability(body: Record<string, unknown>, answer: Answer): Availability | undefined {
  const { name, available } = body;
  if (typeof name !== "string" || typeof available !== "boolean") return undefined;
  if (available) return { name, available: true };
  const { code, message } = body;
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  const result: {
    name: string;
    available: false;
    code: UnavailableCode;
    message: string;
    suggestion?: string;
    suggestions?: readonly string[];
    language?: string;
  } = { name, available: false, code: code as UnavailableCode, message };
  if (typeof body["suggestion"] === "string") result.suggestion = body["suggestion"];
  const suggestions = stringArray(body["suggestions"]);
  if (suggestions !== undefined) result.suggestions = suggestions;
  if (answer.language !== undefined) result.language = answer.language;
  return result;
}

function readRenamed(body: Record<string, unknown>): Renamed | undefined {
  const { username, previous } = body;
  if (typeof username !== "string" || !(typeof previous === "string" || previous === null)) return undefined;
  return { username, previous };
}

function readReleased(body: Record<string, unknown>): Released | undefined {
  const { previous } = body;
  if (!(typeof previous === "string" || previous === null)) return undefined;
  return { previous };
}

function readOpenApi(body: Record<string, unknown>): OpenApiDocument | undefined {
  const { openapi, paths } = body;
  if (typeof openapi !== "string" || !isRecord(paths)) return undefined;
  return body as OpenApiDocument;
}

/**
 * The error for an answer that is not 2xx. The API's own errors always carry `code` and
 * `message`; API Gateway's carry `message` alone. That missing `code` is the one reliable
 * difference (the statuses overlap: 401 and 429 come from both), so it decides `source`.
 */
function errorOf(response: Response, body: unknown, text: string): UsernamesApiError {
  const status = response.status;
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  const language = response.headers.get("Content-Language")?.trim() || undefined;
  const common = {
    status,
    ...(retryAfter !== undefined && { retryAfter }),
    ...(language !== undefined && { language }),
  };
  if (isRecord(body) && typeof body["code"] === "string" && typeof body["message"] === "string") {
    const suggestions = stringArray(body["suggestions"]);
    return new UsernamesApiError({
      ...common,
      source: "api",
      code: body["code"] as ApiErrorCode,
      message: body["message"],
      ...(typeof body["suggestion"] === "string" && { suggestion: body["suggestion"] }),
      ...(suggestions !== undefined && { suggestions }),
    });
  }
  const code: GatewayErrorCode =
    status === 401 ? "gateway_unauthorized" : status === 429 ? "gateway_throttled" : "gateway_error";
  const said =
    isRecord(body) && typeof body["message"] === "string"
      ? body["message"]
      : text.trim() === ""
        ? "(no body)"
        : `${shorten(text)} (${response.headers.get("Content-Type") ?? "no Content-Type"}, not an API error)`;
  return new UsernamesApiError({
    ...common,
    source: "gateway",
    code,
    message: `HTTP ${status} before the API answered: ${said}`,
  });
}

/** The error for a request that got no answer. */
function noAnswer(cause: unknown, method: string, url: string, signal: AbortSignal | undefined): UsernamesApiError {
  const aborted =
    signal?.aborted === true || (typeof cause === "object" && cause !== null && (cause as Error).name === "AbortError");
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new UsernamesApiError({
    status: 0,
    source: "client",
    code: aborted ? "aborted" : "network_error",
    message: aborted
      ? `${method} ${url} was aborted.`
      : `${method} ${url} got no answer: ${reason}. Offline, or CORS refused the request?`,
    cause,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * Lone surrogates (half an emoji, cut by a text field's maxLength) made UTF-8-able as U+FFFD,
 * as any UTF-8 encoder would: `encodeURIComponent` would throw on them, and the server then
 * judges a real name (the policy refuses U+FFFD) instead of the client failing.
 */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** The name as one path segment: percent-encoded UTF-8, as the route takes it. */
function pathSegment(name: string): string {
  if (name === "." || name === "..") {
    throw new UsernamesApiError({
      status: 0,
      source: "client",
      code: "unsendable_name",
      message: `"${name}" cannot be sent in a URL path (fetch removes dot segments, also percent-encoded); no username policy admits it.`,
    });
  }
  return encodeURIComponent(wellFormed(name));
}

/** Bytes a browser sends without a CORS preflight (beyond them, each check costs a round trip more). */
const ACCEPT_LANGUAGE_LIMIT = 128;

/**
 * The `Accept-Language` value for `languages`. A list gets descending q-values (the server
 * takes the highest first). `_` becomes `-` (Android and Java write `de_AT`): outside the
 * characters a browser sends without a CORS preflight, it would make every availability check
 * wait for a preflight first (the deployed API allows the header, at the price of that round
 * trip; an API of your own may not). For the same reason the value stops at 128 bytes.
 */
export function acceptLanguage(languages: Languages | undefined): string | undefined {
  if (languages === undefined) return undefined;
  if (typeof languages === "string") {
    const value = languages.replace(/_/g, "-").trim();
    return value === "" ? undefined : value;
  }
  const tags: string[] = [];
  for (const raw of languages) {
    const tag = raw.replace(/_/g, "-").trim();
    if (tag !== "" && !tags.includes(tag)) tags.push(tag);
  }
  let value = "";
  for (const [i, tag] of tags.entries()) {
    const q = Math.max(1, 10 - i); // 1, 0.9, ... 0.1, then 0.1: ties keep the list's order
    const range = i === 0 ? tag : `${tag};q=0.${q}`;
    const next = i === 0 ? range : `${value}, ${range}`;
    if (next.length > ACCEPT_LANGUAGE_LIMIT) break;
    value = next;
  }
  return value === "" ? undefined : value;
}

/**
 * Seconds from `now` until the time a `Retry-After` value names: delay-seconds (what the API
 * sends) or an HTTP date (what a proxy may send). `undefined` for no value or one that is
 * neither, so that nobody waits on garbage.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  // An HTTP date has a weekday name and GMT; a bare number with a sign or a fraction is neither.
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

// ---------------------------------------------------------------------------------------------
// Sign-up errors
// ---------------------------------------------------------------------------------------------

/** A trigger's refusal, out of the error Cognito made of it. */
export interface SignUpError {
  /** Stable, for programs: which field to mark (a policy code, `name_taken`: the username). */
  readonly code: Code;
  /**
   * The trigger's sentence, without Cognito's wrapper and without the ` [code]` suffix: show it
   * as it is. It keeps the isolation marks (U+2068, U+2069) around the text it quotes, which
   * keep a Latin name readable inside an Arabic sentence and the other way round.
   */
  readonly message: string;
  /**
   * The sentence's language when its script tells (ar, hi, ja, ko, ru, zh-Hans): enough for
   * `dir` and `lang`. Absent for Latin-script sentences (en, de, es, fr, it, pt look alike);
   * the app knows which one it asked for in `clientMetadata.locale`.
   */
  readonly locale?: Locale;
}

const CODE_SET: ReadonlySet<string> = new Set(CODES);

/** Whether `value` is a code this client knows (a newer server may send others). */
export function isCode(value: string): value is Code {
  return CODE_SET.has(value);
}

/**
 * The code at the end of a trigger's refusal (`… [name_taken].`, wrapped or not), as the
 * server's `code_in` finds it; `null` when there is none. Any well-formed code is returned,
 * also one newer than this client (`isCode` tells).
 */
export function codeOf(message: string): Code | null {
  const match = CODE_PATTERN.exec(message);
  return match?.[1] === undefined ? null : (match[1] as Code);
}

const LAMBDA_VALIDATION = "UserLambdaValidationException";

/**
 * `<trigger> failed with error <message>`: Cognito's wrapper (`PreSignUp`, `PostConfirmation`,
 * …) and cognito-local's, which names the function as configured (`pre-sign-up`, an ARN).
 */
const WRAPPER = /^\s*(\S+) failed with error ([\s\S]*)$/;

/** Scripts that name one catalogue language; kana first, as Japanese sentences hold Han too. */
const SCRIPT_LOCALES: ReadonlyArray<readonly [RegExp, Locale]> = [
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, "ja"],
  [/\p{Script=Hangul}/u, "ko"],
  [/\p{Script=Han}/u, "zh-Hans"],
  [/\p{Script=Arabic}/u, "ar"],
  [/\p{Script=Devanagari}/u, "hi"],
  [/\p{Script=Cyrillic}/u, "ru"],
];

/** User-supplied text in a sentence sits between U+2068 and U+2069; its script says nothing. */
const ISOLATED = /\u2068[^\u2069]*\u2069/g;

function localeOf(sentence: string): Locale | undefined {
  const own = sentence.replace(ISOLATED, "");
  return SCRIPT_LOCALES.find(([script]) => script.test(own))?.[1];
}

/** The exception name and message of whatever a sign-up threw or answered. */
function described(error: unknown): { readonly exception?: string; readonly message: string } | undefined {
  if (typeof error === "string") {
    const trimmed = error.trim();
    if (trimmed.startsWith("{")) {
      const parsed = parseJson(trimmed);
      if (isRecord(parsed)) return described(parsed);
    }
    return { message: error };
  }
  if (!isRecord(error) && !(error instanceof Error)) return undefined;
  const e = error as Record<string, unknown>;
  const message = typeof e["message"] === "string" ? e["message"] : e["Message"];
  if (typeof message !== "string") return undefined;
  // `__type` (a raw answer, maybe `namespace#Name`), `name` (Amplify, SDK v3), `code` (SDK v2).
  for (const key of ["__type", "name", "code"]) {
    const value = e[key];
    if (typeof value !== "string") continue;
    const exception = value.replace(/^.*#/, "").replace(/:.*$/, "");
    if (/Exception$/.test(exception)) return { exception, message };
  }
  return { message };
}

/**
 * The refusal of a Cognito trigger in what a sign-up threw: Amplify v6's `signUp` error, the
 * AWS SDK's `UserLambdaValidationException`, a raw `{"__type", "message"}` answer (object or
 * JSON text), or the message alone. `null` when it is no trigger refusal (`UsernameExistsException`,
 * `InvalidPasswordException`, a network error, a trigger that failed without a code), so that
 * the app falls back to its own handling of those.
 *
 * Why parse text: a trigger can only refuse with a message, which Cognito wraps
 * (`PreSignUp failed with error <message>.`); the code at its end is the only structured thing
 * that reaches the app.
 */
export function parseSignUpError(error: unknown): SignUpError | null {
  const found = described(error);
  if (found === undefined) return null;
  if (found.exception !== undefined && found.exception !== LAMBDA_VALIDATION) return null;
  const wrapped = WRAPPER.exec(found.message);
  const inner = wrapped?.[2] ?? found.message;
  const match = CODE_PATTERN.exec(inner);
  const code = match?.[1];
  if (match === null || code === undefined) return null;
  // Bare text ending in `[word]` is only taken for a code we know: with neither Cognito's
  // wrapper nor its exception name, nothing else says it came from a trigger.
  if (wrapped === null && found.exception === undefined && !isCode(code)) return null;
  const message = inner.slice(0, match.index).trim();
  const locale = localeOf(message);
  return locale === undefined ? { code: code as Code, message } : { code: code as Code, message, locale };
}

/**
 * Whether a language's text runs right to left: for the `dir` of an element showing a
 * `message` (pass `language` or `locale`; `ar-EG` counts as `ar`).
 */
export function isRightToLeft(language: string): boolean {
  const primary = language.trim().split(/[-_]/)[0]?.toLowerCase() ?? "";
  return (RIGHT_TO_LEFT_LOCALES as readonly string[]).includes(primary);
}
