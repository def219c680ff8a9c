// The HTTP client against a fake fetch: every status and body shape of the OpenAPI document
// (shared/src/api/openapi.json), API Gateway's own answers, and answers from neither.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  acceptLanguage,
  createUsernamesClient,
  isUsernamesApiError,
  parseRetryAfter,
  UsernamesApiError,
  type FetchFunction,
  type UsernamesClientOptions,
} from "../src/index.js";

interface Sent {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | undefined;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

/** A fetch that records what it was sent and answers `reply`, like a server would. */
function fakeFetch(reply: Reply): { fetch: FetchFunction; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: FetchFunction = async (url, init) => {
    sent.push({
      url,
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? init.body : undefined,
    });
    const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
    const headers = { "content-type": "application/json", ...reply.headers };
    return new Response(text === "" ? null : text, { status: reply.status, headers });
  };
  return { fetch, sent };
}

function client(reply: Reply, options: Partial<UsernamesClientOptions> = {}) {
  const fake = fakeFetch(reply);
  const usernames = createUsernamesClient({
    baseUrl: "https://api.example.com/prod/",
    fetch: fake.fetch,
    getToken: async () => "token-of-melody",
    ...options,
  });
  return { usernames, sent: fake.sent };
}

/** The error a promise rejects with, which must be a UsernamesApiError. */
async function failure(promise: Promise<unknown>): Promise<UsernamesApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UsernamesApiError, `not a UsernamesApiError: ${String(error)}`);
    assert.equal(error.name, "UsernamesApiError");
    return error;
  }
  assert.fail("the request did not fail");
}

const EN = { "content-language": "en" };

describe("checkAvailability", () => {
  test("a free name: 200, available, nothing else", async () => {
    const { usernames, sent } = client({ status: 200, body: { name: "Melody", available: true }, headers: EN });
    assert.deepEqual(await usernames.checkAvailability("Melody"), { name: "Melody", available: true });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.method, "GET");
    assert.equal(sent[0]?.url, "https://api.example.com/prod/v1/usernames/Melody");
    assert.equal(sent[0]?.headers.get("authorization"), null, "a public route gets no token");
    assert.equal(sent[0]?.headers.get("content-type"), null);
    assert.equal(sent[0]?.body, undefined);
  });

  test("never asks for the token (a live check must not wait for the session)", async () => {
    let asked = 0;
    const { usernames } = client(
      { status: 200, body: { name: "Melody", available: true } },
      { getToken: () => `token-${++asked}` },
    );
    await usernames.checkAvailability("Melody");
    assert.equal(asked, 0);
  });

  test("the name is percent-encoded UTF-8 in one path segment", async () => {
    const { usernames, sent } = client({ status: 200, body: { name: "x", available: true } });
    await usernames.checkAvailability("Jürgen/../a?b#c d%");
    assert.equal(sent[0]?.url, "https://api.example.com/prod/v1/usernames/J%C3%BCrgen%2F..%2Fa%3Fb%23c%20d%25");
    await usernames.checkAvailability("ｍｅｌｏｄｙ");
    assert.equal(sent[1]?.url, "https://api.example.com/prod/v1/usernames/%EF%BD%8D%EF%BD%85%EF%BD%8C%EF%BD%8F%EF%BD%84%EF%BD%99");
    await usernames.checkAvailability("");
    assert.equal(sent[2]?.url, "https://api.example.com/prod/v1/usernames/", "the API answers `empty` here");
  });

  test("a lone surrogate is sent as U+FFFD instead of throwing URIError", async () => {
    const { usernames, sent } = client({ status: 200, body: { name: "x", available: true } });
    await usernames.checkAvailability("ab\uD83D");
    assert.equal(sent[0]?.url, "https://api.example.com/prod/v1/usernames/ab%EF%BF%BD");
  });

  test(". and .. cannot be a path segment: unsendable_name, nothing sent", async () => {
    for (const name of [".", ".."]) {
      const { usernames, sent } = client({ status: 200, body: { name, available: true } });
      const error = await failure(usernames.checkAvailability(name));
      assert.equal(error.code, "unsendable_name");
      assert.equal(error.source, "client");
      assert.equal(error.status, 0);
      assert.equal(sent.length, 0);
    }
    // Only the whole segment: these are ordinary names.
    const { usernames, sent } = client({ status: 200, body: { name: "x", available: true } });
    await usernames.checkAvailability("...");
    await usernames.checkAvailability(".a");
    assert.deepEqual(
      sent.map((s) => s.url),
      ["https://api.example.com/prod/v1/usernames/...", "https://api.example.com/prod/v1/usernames/.a"],
    );
  });

  test("a policy refusal is an answer, with the sentence's language", async () => {
    const body = {
      name: "ab",
      available: false,
      code: "too_short",
      message: "Benutzernamen müssen mindestens 3 Zeichen lang sein.",
    };
    const { usernames } = client({ status: 200, body, headers: { "content-language": "de" } });
    assert.deepEqual(await usernames.checkAvailability("ab"), { ...body, language: "de" });
  });

  test("not_display_form comes with its suggestion", async () => {
    const body = {
      name: "ｍｅｌｏｄｙ",
      available: false,
      code: "not_display_form",
      message: "Write it as \"\u2068melody\u2069\".",
      suggestion: "melody",
    };
    const { usernames } = client({ status: 200, body, headers: EN });
    const answer = await usernames.checkAvailability("ｍｅｌｏｄｙ");
    assert.deepEqual(answer, { ...body, language: "en" });
  });

  test("name_taken comes with up to three suggestions", async () => {
    const body = {
      name: "Melody_Rivers",
      available: false,
      code: "name_taken",
      message: "That username is already taken.",
      suggestions: ["Melody_Rivers17", "Melody_Rivers_16", "Melody_Rivers15"],
    };
    const { usernames } = client({ status: 200, body, headers: EN });
    const answer = await usernames.checkAvailability("Melody_Rivers");
    assert.equal(answer.available, false);
    if (answer.available) return;
    assert.equal(answer.code, "name_taken");
    assert.deepEqual(answer.suggestions, body.suggestions);
    assert.equal("suggestion" in answer, false);
  });

  test("400 bad_name_encoding", async () => {
    const message = "The name in the path must be percent-encoded UTF-8.";
    const { usernames } = client({ status: 400, body: { code: "bad_name_encoding", message }, headers: EN });
    const error = await failure(usernames.checkAvailability("x"));
    assert.equal(error.status, 400);
    assert.equal(error.code, "bad_name_encoding");
    assert.equal(error.source, "api");
    assert.equal(error.message, message);
    assert.equal(error.language, "en");
  });

  test("503 registry_unavailable is the API's (it has a code)", async () => {
    const message = "We couldn't reach the username registry right now. Please try again.";
    const { usernames } = client({ status: 503, body: { code: "registry_unavailable", message }, headers: EN });
    const error = await failure(usernames.checkAvailability("Melody"));
    assert.deepEqual(
      [error.status, error.code, error.source, error.message],
      [503, "registry_unavailable", "api", message],
    );
  });

  test("429 from API Gateway's throttling: gateway_throttled, no Retry-After", async () => {
    const { usernames } = client({ status: 429, body: { message: "Too Many Requests" } });
    const error = await failure(usernames.checkAvailability("Melody"));
    assert.equal(error.status, 429);
    assert.equal(error.code, "gateway_throttled");
    assert.equal(error.source, "gateway");
    assert.match(error.message, /Too Many Requests/);
    assert.equal(error.retryAfter, undefined);
    assert.equal(error.language, undefined);
    assert.equal("retryAfter" in error, false);
  });

  test("a 200 that is not an availability (a wrong baseUrl serving the app) is unexpected_response", async () => {
    const html = "<!doctype html><html><body><div id=root></div></body></html>";
    const { usernames } = client({ status: 200, text: html, headers: { "content-type": "text/html" } });
    const error = await failure(usernames.checkAvailability("Melody"));
    assert.equal(error.code, "unexpected_response");
    assert.equal(error.source, "gateway");
    assert.equal(error.status, 200);
    assert.match(error.message, /doctype html/);
    assert.match(error.message, /https:\/\/api\.example\.com\/prod/);
  });

  test("a 200 of JSON in another shape is unexpected_response too", async () => {
    for (const body of [
      { name: "Melody" },
      { name: "Melody", available: "yes" },
      { name: "Melody", available: false },
      { name: "Melody", available: false, code: "too_short" },
      [],
      null,
      "Melody",
    ]) {
      const { usernames } = client({ status: 200, body });
      const error = await failure(usernames.checkAvailability("Melody"));
      assert.equal(error.code, "unexpected_response", JSON.stringify(body));
    }
  });

  test("malformed suggestions are dropped, not passed on as something else", async () => {
    const body = { name: "a", available: false, code: "name_taken", message: "Taken.", suggestions: ["a1", 2] };
    const { usernames } = client({ status: 200, body });
    const answer = await usernames.checkAvailability("a");
    assert.equal("suggestions" in answer, false);
  });
});

describe("rename", () => {
  test("200: the new name and the previous one; the token as Bearer, the body as JSON", async () => {
    const { usernames, sent } = client({ status: 200, body: { username: "Melody", previous: "melody_r" }, headers: EN });
    assert.deepEqual(await usernames.rename("melody"), { username: "Melody", previous: "melody_r" });
    assert.equal(sent[0]?.method, "PUT");
    assert.equal(sent[0]?.url, "https://api.example.com/prod/v1/me/username");
    assert.equal(sent[0]?.headers.get("authorization"), "Bearer token-of-melody");
    assert.equal(sent[0]?.headers.get("content-type"), "application/json");
    assert.deepEqual(JSON.parse(sent[0]?.body ?? ""), { username: "melody" });
  });

  test("200 with no previous name", async () => {
    const { usernames } = client({ status: 200, body: { username: "Melody", previous: null } });
    assert.deepEqual(await usernames.rename("Melody"), { username: "Melody", previous: null });
  });

  test("the token is asked for at each request (tokens are refreshed)", async () => {
    let n = 0;
    const { usernames, sent } = client(
      { status: 200, body: { username: "Melody", previous: null } },
      { getToken: async () => `token-${++n}` },
    );
    await usernames.rename("Melody");
    await usernames.rename("Melody");
    assert.deepEqual(
      sent.map((s) => s.headers.get("authorization")),
      ["Bearer token-1", "Bearer token-2"],
    );
  });

  test("no token, or no getToken: no Authorization header (the API says unauthorized)", async () => {
    for (const getToken of [async () => undefined, () => null, () => ""]) {
      const { usernames, sent } = client({ status: 200, body: { username: "M", previous: null } }, { getToken });
      await usernames.rename("M");
      assert.equal(sent[0]?.headers.get("authorization"), null);
    }
    const fake = fakeFetch({ status: 200, body: { username: "M", previous: null } });
    const usernames = createUsernamesClient({ baseUrl: "https://api.example.com", fetch: fake.fetch });
    await usernames.rename("M");
    assert.equal(fake.sent[0]?.headers.get("authorization"), null);
    assert.equal(fake.sent[0]?.url, "https://api.example.com/v1/me/username");
  });

  test("getToken's own error reaches the caller as it is", async () => {
    const own = new Error("UserUnAuthenticatedException: User needs to be authenticated");
    const { usernames, sent } = client({ status: 200 }, { getToken: async () => Promise.reject(own) });
    await assert.rejects(usernames.rename("Melody"), (error) => error === own);
    assert.equal(sent.length, 0);
  });

  test("400 bad_request", async () => {
    const message = 'Send a JSON body like {"username": "new_name"}.';
    const { usernames } = client({ status: 400, body: { code: "bad_request", message }, headers: EN });
    const error = await failure(usernames.rename("Melody"));
    assert.deepEqual([error.status, error.code, error.source, error.message], [400, "bad_request", "api", message]);
  });

  test("401 from the API: unauthorized, source api, in the user's language", async () => {
    const message = "Melde dich zuerst an: Sende dein Zugriffs- oder ID-Token als `Authorization: Bearer <token>`.";
    const { usernames } = client({
      status: 401,
      body: { code: "unauthorized", message },
      headers: { "content-language": "de" },
    });
    const error = await failure(usernames.rename("Melody"));
    assert.equal(error.status, 401);
    assert.equal(error.code, "unauthorized");
    assert.equal(error.source, "api");
    assert.equal(error.message, message);
    assert.equal(error.language, "de");
  });

  test("401 from API Gateway's JWT authorizer: gateway_unauthorized, source gateway", async () => {
    const { usernames } = client({ status: 401, body: { message: "Unauthorized" } });
    const error = await failure(usernames.rename("Melody"));
    assert.equal(error.status, 401);
    assert.equal(error.code, "gateway_unauthorized");
    assert.equal(error.source, "gateway");
    assert.match(error.message, /Unauthorized/);
    assert.equal(error.language, undefined);
  });

  test("403 name_immutable", async () => {
    const message = "Your username is the name you sign in with, so it can't be changed or given up.";
    const { usernames } = client({ status: 403, body: { code: "name_immutable", message }, headers: EN });
    const error = await failure(usernames.rename("Melody"));
    assert.deepEqual([error.status, error.code, error.source, error.message], [403, "name_immutable", "api", message]);
  });

  test("409 name_taken with suggestions", async () => {
    const suggestions = ["Melody17", "Melody_16", "Melody15"];
    const { usernames } = client({
      status: 409,
      body: { code: "name_taken", message: "That username is already taken.", suggestions },
      headers: EN,
    });
    const error = await failure(usernames.rename("Melody"));
    assert.equal(error.status, 409);
    assert.equal(error.code, "name_taken");
    assert.equal(error.source, "api");
    assert.deepEqual(error.suggestions, suggestions);
    assert.equal(error.suggestion, undefined);
  });

  test("409 name_taken with no suggestion left (every candidate refused by the policy)", async () => {
    const { usernames } = client({
      status: 409,
      body: { code: "name_taken", message: "That username is already taken.", suggestions: [] },
    });
    const error = await failure(usernames.rename("melody12345"));
    assert.equal(error.code, "name_taken");
    assert.deepEqual(error.suggestions, []);
  });

  test("413 body_too_large", async () => {
    const message = 'The request body is too large: send {"username": "new_name"}.';
    const { usernames } = client({ status: 413, body: { code: "body_too_large", message }, headers: EN });
    const error = await failure(usernames.rename("x".repeat(5000)));
    assert.deepEqual([error.status, error.code, error.source], [413, "body_too_large", "api"]);
  });

  test("422 not_display_form with its suggestion", async () => {
    const message = "Write it as \"\u2068melody\u2069\".";
    const { usernames } = client({
      status: 422,
      body: { code: "not_display_form", message, suggestion: "melody" },
      headers: EN,
    });
    const error = await failure(usernames.rename("ｍｅｌｏｄｙ"));
    assert.equal(error.status, 422);
    assert.equal(error.code, "not_display_form");
    assert.equal(error.suggestion, "melody");
    assert.equal(error.message, message);
    assert.equal(error.suggestions, undefined);
  });

  test("429 rename_cooldown from the API, with Retry-After in seconds", async () => {
    const message = "Du hast deinen Benutzernamen kürzlich geändert. Du kannst ihn in 2 Stunden wieder ändern.";
    const { usernames } = client({
      status: 429,
      body: { code: "rename_cooldown", message },
      headers: { "content-language": "de", "retry-after": "7200" },
    });
    const error = await failure(usernames.rename("Melody"));
    assert.equal(error.status, 429);
    assert.equal(error.code, "rename_cooldown");
    assert.equal(error.source, "api");
    assert.equal(error.retryAfter, 7200);
    assert.equal(error.language, "de");
    assert.equal(error.message, message);
  });

  test("429 from API Gateway's throttling is not rename_cooldown", async () => {
    const { usernames } = client({ status: 429, body: { message: "Too Many Requests" } });
    const error = await failure(usernames.rename("Melody"));
    assert.equal(error.code, "gateway_throttled");
    assert.equal(error.source, "gateway");
    assert.equal(error.retryAfter, undefined);
  });

  test("429 with an HTTP-date Retry-After (as a proxy may send): seconds from now", async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    const { usernames } = client({ status: 429, body: { message: "Too Many Requests" }, headers: { "retry-after": at } });
    const error = await failure(usernames.rename("Melody"));
    assert.ok(error.retryAfter !== undefined && error.retryAfter >= 88 && error.retryAfter <= 91, String(error.retryAfter));
  });

  test("503 registry_unavailable", async () => {
    const { usernames } = client({
      status: 503,
      body: { code: "registry_unavailable", message: "We couldn't reach the username registry right now. Please try again." },
      headers: EN,
    });
    const error = await failure(usernames.rename("Melody"));
    assert.deepEqual([error.status, error.code, error.source], [503, "registry_unavailable", "api"]);
  });

  test("a non-JSON 502 from a gateway is a gateway_error, not a JSON parse error", async () => {
    const html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    const { usernames } = client({ status: 502, text: html, headers: { "content-type": "text/html" } });
    const error = await failure(usernames.rename("Melody"));
    assert.equal(error.status, 502);
    assert.equal(error.code, "gateway_error");
    assert.equal(error.source, "gateway");
    assert.match(error.message, /502 Bad Gateway/);
    assert.match(error.message, /text\/html/);
  });

  test("API Gateway's other answers without a code are gateway_error", async () => {
    for (const [status, message] of [
      [500, "Internal Server Error"],
      [503, "Service Unavailable"],
      [504, "Endpoint request timed out"],
      [404, "Not Found"],
      [403, "Forbidden"],
    ] as const) {
      const { usernames } = client({ status, body: { message } });
      const error = await failure(usernames.rename("Melody"));
      assert.deepEqual([error.status, error.code, error.source], [status, "gateway_error", "gateway"]);
      assert.match(error.message, new RegExp(message));
    }
  });

  test("an error with an empty body", async () => {
    const { usernames } = client({ status: 502, text: "" });
    const error = await failure(usernames.rename("Melody"));
    assert.equal(error.code, "gateway_error");
    assert.match(error.message, /no body/);
  });

  test("a 200 that is not a rename's answer", async () => {
    const { usernames } = client({ status: 200, body: { username: "Melody" } });
    assert.equal((await failure(usernames.rename("Melody"))).code, "unexpected_response");
  });
});

describe("releaseName", () => {
  test("200: the name given up; DELETE with the token and no body", async () => {
    const { usernames, sent } = client({ status: 200, body: { previous: "Melody" }, headers: EN });
    assert.deepEqual(await usernames.releaseName(), { previous: "Melody" });
    assert.equal(sent[0]?.method, "DELETE");
    assert.equal(sent[0]?.url, "https://api.example.com/prod/v1/me/username");
    assert.equal(sent[0]?.headers.get("authorization"), "Bearer token-of-melody");
    assert.equal(sent[0]?.body, undefined);
    assert.equal(sent[0]?.headers.get("content-type"), null);
  });

  test("200 with nothing to give up", async () => {
    const { usernames } = client({ status: 200, body: { previous: null } });
    assert.deepEqual(await usernames.releaseName(), { previous: null });
  });

  test("401 API vs gateway, 403, 429 gateway, 503", async () => {
    const cases: ReadonlyArray<readonly [Reply, number, string, string]> = [
      [{ status: 401, body: { code: "unauthorized", message: "Sign in first." } }, 401, "unauthorized", "api"],
      [{ status: 401, body: { message: "Unauthorized" } }, 401, "gateway_unauthorized", "gateway"],
      [{ status: 403, body: { code: "name_immutable", message: "No." } }, 403, "name_immutable", "api"],
      [{ status: 429, body: { message: "Too Many Requests" } }, 429, "gateway_throttled", "gateway"],
      [{ status: 503, body: { code: "registry_unavailable", message: "Again." } }, 503, "registry_unavailable", "api"],
    ];
    for (const [reply, status, code, source] of cases) {
      const { usernames } = client(reply);
      const error = await failure(usernames.releaseName());
      assert.deepEqual([error.status, error.code, error.source], [status, code, source]);
    }
  });
});

describe("openApi", () => {
  test("the document", async () => {
    const document = { openapi: "3.1.0", info: { title: "t", version: "1" }, paths: { "/v1/usernames/{name}": {} } };
    const { usernames, sent } = client({ status: 200, body: document });
    assert.deepEqual(await usernames.openApi(), document);
    assert.equal(sent[0]?.url, "https://api.example.com/prod/v1/openapi.json");
  });

  test("something else is unexpected_response", async () => {
    const { usernames } = client({ status: 200, body: { swagger: "2.0" } });
    assert.equal((await failure(usernames.openApi())).code, "unexpected_response");
  });
});

describe("no answer", () => {
  test("fetch rejects: network_error, status 0, with the cause", async () => {
    const cause = new TypeError("fetch failed");
    const usernames = createUsernamesClient({ baseUrl: "https://api.example.com", fetch: async () => Promise.reject(cause) });
    const error = await failure(usernames.checkAvailability("Melody"));
    assert.equal(error.code, "network_error");
    assert.equal(error.source, "client");
    assert.equal(error.status, 0);
    assert.equal(error.cause, cause);
    assert.match(error.message, /fetch failed/);
  });

  test("the body cannot be read: network_error", async () => {
    const broken = new Response(
      new ReadableStream({
        start(controller) {
          controller.error(new Error("socket hang up"));
        },
      }),
      { status: 200 },
    );
    const usernames = createUsernamesClient({ baseUrl: "https://api.example.com", fetch: async () => broken });
    const error = await failure(usernames.checkAvailability("Melody"));
    assert.equal(error.code, "network_error");
  });

  test("an aborted request: aborted", async () => {
    const controller = new AbortController();
    const fetch: FetchFunction = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => reject(new DOMException("This operation was aborted", "AbortError")));
      });
    const usernames = createUsernamesClient({ baseUrl: "https://api.example.com", fetch });
    const pending = usernames.checkAvailability("mel", { signal: controller.signal });
    controller.abort();
    const error = await failure(pending);
    assert.equal(error.code, "aborted");
    assert.equal(error.source, "client");
  });

  test("the real global fetch, nothing listening: network_error", async () => {
    // Port 9 (discard) on loopback: refused at once, no waiting on a timeout.
    const usernames = createUsernamesClient({ baseUrl: "http://127.0.0.1:9" });
    const error = await failure(usernames.checkAvailability("Melody"));
    assert.equal(error.code, "network_error");
    assert.equal(error.status, 0);
  });
});

describe("Accept-Language", () => {
  test("a tag, a list, a header value, a function, nothing", async () => {
    const cases: ReadonlyArray<readonly [UsernamesClientOptions["language"], string | null]> = [
      ["de", "de"],
      [["de-CH", "de", "en"], "de-CH, de;q=0.9, en;q=0.8"],
      ["de-CH, de;q=0.9", "de-CH, de;q=0.9"],
      [() => "ja", "ja"],
      [() => undefined, null],
      [undefined, null],
      [[], null],
      ["  ", null],
    ];
    for (const [language, header] of cases) {
      const { usernames, sent } = client({ status: 200, body: { name: "x", available: true } }, { language });
      await usernames.checkAvailability("x");
      assert.equal(sent[0]?.headers.get("accept-language"), header, JSON.stringify(language));
    }
  });

  test("a function is asked at each request, so a language switch needs no new client", async () => {
    let language = "en";
    const { usernames, sent } = client(
      { status: 200, body: { username: "M", previous: null } },
      { language: () => language },
    );
    await usernames.rename("M");
    language = "ar";
    await usernames.releaseName().catch(() => undefined);
    assert.deepEqual(sent.map((s) => s.headers.get("accept-language")), ["en", "ar"]);
  });

  test("stays CORS-safelisted: _ becomes -, and at most 128 bytes", () => {
    assert.equal(acceptLanguage("de_AT"), "de-AT");
    assert.equal(acceptLanguage(["pt_BR", "pt", "pt"]), "pt-BR, pt;q=0.9");
    const many = ["en", "ar", "de", "es", "fr", "hi", "it", "ja", "ko", "pt", "ru", "zh-Hans", "en-GB", "en-US", "de-AT", "de-CH", "fr-CA"];
    const value = acceptLanguage(many) ?? "";
    assert.ok(value.length <= 128, value);
    assert.ok(value.startsWith("en, ar;q=0.9, de;q=0.8"), value);
    assert.match(value, /zh-Hans;q=0\.1/);
    assert.ok(/^[0-9A-Za-z *,\-.;=]*$/.test(value));
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-12-06T12:00:00Z");
  test("seconds", () => {
    assert.equal(parseRetryAfter("7200", now), 7200);
    assert.equal(parseRetryAfter(" 0 ", now), 0);
  });
  test("an HTTP date, in seconds from now, never negative", () => {
    assert.equal(parseRetryAfter("Sun, 06 Dec 2026 12:02:00 GMT", now), 120);
    assert.equal(parseRetryAfter("Sun, 06 Dec 2026 12:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter("Sun, 06 Dec 2026 11:00:00 GMT", now), 0);
  });
  test("nothing or garbage: undefined", () => {
    for (const value of [null, undefined, "", "soon", "-5", "1.5", "1e3", "99999999999999999999"]) {
      assert.equal(parseRetryAfter(value, now), undefined, String(value));
    }
  });
});

describe("UsernamesApiError", () => {
  test("is an Error with a stack, and isUsernamesApiError sees through bundle copies", () => {
    const error = new UsernamesApiError({ status: 409, code: "name_taken", source: "api", message: "Taken." });
    assert.ok(error instanceof Error);
    assert.equal(String(error), "UsernamesApiError: Taken.");
    assert.ok(isUsernamesApiError(error));
    const copy = { name: "UsernamesApiError", code: "name_taken", status: 409, source: "api", message: "Taken." };
    assert.ok(isUsernamesApiError(copy));
    assert.equal(isUsernamesApiError(new Error("Taken.")), false);
    assert.equal(isUsernamesApiError({ ...copy, source: "elsewhere" }), false);
    assert.equal(isUsernamesApiError(null), false);
  });
});
