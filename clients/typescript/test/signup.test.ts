// parseSignUpError and codeOf on what a sign-up really throws: Cognito's and cognito-local's
// wrappers, Amplify's, the SDK's and raw answers, in every language of the catalogue.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { codeOf, isCode, isRightToLeft, parseSignUpError, type SignUpError } from "../src/index.js";
import { readCatalogue } from "./catalogue.js";

/** What the triggers really said (captured from `usernames serve`'s pre-sign-up), by language. */
const REAL: Readonly<Record<string, { readonly too_short: string; readonly name_taken: string; readonly not_display_form: string }>> = {
  en: {
    too_short: "Usernames must be at least 3 characters long. [too_short]",
    name_taken: "That username is already taken. [name_taken]",
    not_display_form: 'Write it as "\u2068melody\u2069". [not_display_form]',
  },
  de: {
    too_short: "Benutzernamen müssen mindestens 3 Zeichen lang sein. [too_short]",
    name_taken: "Dieser Benutzername ist bereits vergeben. [name_taken]",
    not_display_form: "Bitte so schreiben: „\u2068melody\u2069“. [not_display_form]",
  },
  ja: {
    too_short: "ユーザー名は3文字以上にしてください。 [too_short]",
    name_taken: "このユーザー名はすでに使用されています。 [name_taken]",
    not_display_form: "「\u2068melody\u2069」と入力してください。 [not_display_form]",
  },
  ar: {
    too_short: "يجب ألا يقل اسم المستخدم عن 3 أحرف. [too_short]",
    name_taken: "اسم المستخدم هذا مأخوذ بالفعل. [name_taken]",
    not_display_form: "يُرجى كتابته هكذا: «\u2068melody\u2069». [not_display_form]",
  },
  hi: {
    too_short: "उपयोगकर्ता नाम कम से कम 3 वर्णों का होना चाहिए। [too_short]",
    name_taken: "यह उपयोगकर्ता नाम पहले से इस्तेमाल में है। [name_taken]",
    not_display_form: "इसे “\u2068melody\u2069” के रूप में लिखें। [not_display_form]",
  },
};

/** The locale parseSignUpError can tell from the script; Latin-script languages it cannot. */
const SCRIPT_LOCALE: Readonly<Record<string, string | undefined>> = { ja: "ja", ar: "ar", hi: "hi", ko: "ko", ru: "ru", "zh-Hans": "zh-Hans" };

/** As Cognito wraps a trigger's message (with its full stop). */
const cognito = (message: string, trigger = "PreSignUp") => `${trigger} failed with error ${message}.`;
/** As cognito-local wraps it: the function's name as configured. */
const cognitoLocal = (message: string, fn = "pre-sign-up") => `${fn} failed with error ${message}.`;

/** The forms a sign-up error reaches an app in. */
function shapes(text: string): ReadonlyArray<readonly [string, unknown]> {
  const amplify = Object.assign(new Error(text), { name: "UserLambdaValidationException", recoverySuggestion: undefined });
  const sdk = Object.assign(new Error(text), {
    name: "UserLambdaValidationException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    __type: "UserLambdaValidationException",
  });
  return [
    ["a string", text],
    ["Amplify v6's AuthError", amplify],
    ["the AWS SDK v3's exception", sdk],
    ["a raw answer", { __type: "UserLambdaValidationException", message: text }],
    ["a raw answer with a namespace", { __type: "com.amazonaws.cognito.identity.idp.model#UserLambdaValidationException", message: text }],
    ["a raw answer's JSON text", JSON.stringify({ __type: "UserLambdaValidationException", message: text })],
    ["an SDK v2 error", { code: "UserLambdaValidationException", message: text }],
    ["a plain Error", new Error(text)],
  ];
}

function expected(code: string, message: string, locale: string | undefined): SignUpError {
  return (locale === undefined ? { code, message } : { code, message, locale }) as SignUpError;
}

describe("parseSignUpError: real trigger messages", () => {
  for (const [locale, messages] of Object.entries(REAL)) {
    for (const [code, raw] of Object.entries(messages)) {
      test(`${locale} ${code}, in both wrappers and every shape`, () => {
        const sentence = raw.slice(0, raw.lastIndexOf(" ["));
        for (const wrapped of [cognito(raw), cognitoLocal(raw)]) {
          for (const [shape, error] of shapes(wrapped)) {
            assert.deepEqual(parseSignUpError(error), expected(code, sentence, SCRIPT_LOCALE[locale]), `${shape}: ${wrapped}`);
          }
        }
      });
    }
  }

  test("the exact strings of the brief", () => {
    assert.deepEqual(parseSignUpError("PreSignUp failed with error That username is already taken. [name_taken]."), {
      code: "name_taken",
      message: "That username is already taken.",
    });
    assert.deepEqual(
      parseSignUpError(
        Object.assign(new Error("PreSignUp failed with error Dieser Benutzername ist bereits vergeben. [name_taken]."), {
          name: "UserLambdaValidationException",
        }),
      ),
      { code: "name_taken", message: "Dieser Benutzername ist bereits vergeben." },
    );
  });

  test("the isolation marks around the quoted name are kept, and say nothing of the language", () => {
    const parsed = parseSignUpError(cognito(REAL["en"]?.not_display_form ?? ""));
    assert.equal(parsed?.code, "not_display_form");
    assert.equal(parsed?.message, 'Write it as "\u2068melody\u2069".');
    assert.equal(parsed?.locale, undefined);
    // A Japanese name quoted in an English sentence is not a Japanese sentence, and the other way round.
    assert.equal(parseSignUpError(cognito('Write it as "\u2068めろでぃ\u2069". [not_display_form]'))?.locale, undefined);
    const arabic = parseSignUpError(cognito("يُرجى كتابته هكذا: «\u2068Jürgen_M\u2069». [not_display_form]"));
    assert.equal(arabic?.locale, "ar");
    assert.equal(arabic?.message, "يُرجى كتابته هكذا: «\u2068Jürgen_M\u2069».");
  });

  test("other triggers and function names", () => {
    const message = "That username is already taken. [name_taken]";
    for (const wrapped of [
      cognito(message, "PostConfirmation"),
      cognito(message, "PreAuthentication"),
      cognitoLocal(message, "PreSignUpFunction"),
      cognitoLocal(message, "arn:aws:lambda:local:000000000000:function:pre-sign-up"),
      cognitoLocal(message, "pre-sign-up:live"),
    ]) {
      assert.deepEqual(parseSignUpError(wrapped), { code: "name_taken", message: "That username is already taken." }, wrapped);
    }
  });

  test("no wrapper (the trigger's own errorMessage), and no full stop", () => {
    assert.deepEqual(parseSignUpError("That username is already taken. [name_taken]"), {
      code: "name_taken",
      message: "That username is already taken.",
    });
    assert.deepEqual(parseSignUpError("PreSignUp failed with error That username is already taken. [name_taken]"), {
      code: "name_taken",
      message: "That username is already taken.",
    });
    assert.deepEqual(parseSignUpError("PreSignUp failed with error That username is already taken. [name_taken].\n"), {
      code: "name_taken",
      message: "That username is already taken.",
    });
  });

  test("a code newer than this client still comes through when Cognito's wrapper says it is a refusal", () => {
    assert.deepEqual(parseSignUpError(cognito("Something new. [brand_new_rule]")), {
      code: "brand_new_rule",
      message: "Something new.",
    });
    assert.equal(isCode("brand_new_rule"), false);
    // Without the wrapper or the exception's name, an unknown `[word]` proves nothing.
    assert.equal(parseSignUpError("See the manual [section_two]"), null);
    assert.equal(parseSignUpError(new Error("See the manual [section_two]")), null);
  });
});

describe("parseSignUpError: every sentence of the catalogue, in every language", () => {
  const catalogue = readCatalogue();
  const codes = Object.keys(catalogue.messages);
  test("the catalogue has sentences to test", () => {
    assert.ok(codes.length >= 40, `${codes.length} codes`);
    assert.ok(catalogue.locales.length >= 12, `${catalogue.locales.length} locales`);
  });
  for (const code of codes) {
    test(code, () => {
      const texts = catalogue.messages[code]?.example.text ?? {};
      assert.deepEqual(Object.keys(texts).sort(), [...catalogue.locales].sort(), "an example in every locale");
      for (const [locale, text] of Object.entries(texts)) {
        const refusal = `${text} [${code}]`;
        const want = expected(code, text.trim(), SCRIPT_LOCALE[locale]);
        for (const wrapped of [cognito(refusal), cognitoLocal(refusal)]) {
          assert.deepEqual(parseSignUpError(wrapped), want, `${locale}: ${wrapped}`);
          assert.deepEqual(
            parseSignUpError(Object.assign(new Error(wrapped), { name: "UserLambdaValidationException" })),
            want,
          );
          assert.equal(codeOf(wrapped), code);
        }
        assert.equal(isCode(code), true);
      }
    });
  }

  test("every catalogue locale is either told by its script or Latin", () => {
    for (const locale of catalogue.locales) {
      const text = catalogue.messages["name_taken"]?.example.text[locale] ?? "";
      const expectedLocale = SCRIPT_LOCALE[locale];
      if (expectedLocale === undefined) {
        assert.match(text, /^[\p{Script=Latin}\p{P}\p{Zs}\d]+$/u, `${locale} is not written in Latin: add it to the script table`);
      }
      assert.equal(parseSignUpError(cognito(`${text} [name_taken]`))?.locale, expectedLocale, locale);
    }
  });
});

describe("parseSignUpError: not a trigger refusal", () => {
  test("Cognito's other exceptions are null, whatever their message", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["UsernameExistsException", "An account with the given email already exists."],
      ["InvalidPasswordException", "Password did not conform with policy: Password not long enough"],
      ["InvalidParameterException", "1 validation error detected: Value at 'password' failed to satisfy constraint"],
      ["CodeDeliveryFailureException", "Unable to deliver the code."],
      ["TooManyRequestsException", "Rate exceeded"],
      ["NotAuthorizedException", "SignUp is not permitted for this user pool"],
      // Even one whose message looks like a refusal: the exception's name decides.
      ["InvalidLambdaResponseException", "PreSignUp failed with error That username is already taken. [name_taken]."],
    ];
    for (const [name, message] of cases) {
      assert.equal(parseSignUpError(Object.assign(new Error(message), { name })), null, name);
      assert.equal(parseSignUpError({ __type: name, message }), null, name);
      assert.equal(parseSignUpError(JSON.stringify({ __type: name, message })), null, name);
    }
  });

  test("a trigger that failed without a code (a timeout, a crash) is null", () => {
    for (const message of [
      "PreSignUp failed with error Task timed out after 5.01 seconds.",
      "PreSignUp failed with error Runtime exited with error: signal: killed.",
      "pre-sign-up failed with error Lambda threw an exception.",
    ]) {
      assert.equal(parseSignUpError(Object.assign(new Error(message), { name: "UserLambdaValidationException" })), null, message);
    }
  });

  test("anything else is null", () => {
    for (const value of [
      undefined,
      null,
      42,
      true,
      {},
      [],
      { message: 42 },
      new Error("Network error"),
      Object.assign(new Error("Failed to fetch"), { name: "TypeError" }),
      "",
      "{not json",
      "the code is [name_taken] somewhere in the middle",
      "[Name_Taken].",
    ]) {
      assert.equal(parseSignUpError(value), null, String(value));
    }
  });
});

describe("codeOf", () => {
  test("the code at the end, as the server's code_in finds it", () => {
    assert.equal(codeOf("That username is already taken. [name_taken]"), "name_taken");
    assert.equal(codeOf("PreSignUp failed with error That username is already taken. [name_taken]."), "name_taken");
    assert.equal(codeOf("… [too_long]  \n"), "too_long");
    assert.equal(codeOf("x [a1_b2]"), "a1_b2");
  });
  test("none", () => {
    for (const message of ["That username is already taken.", "[name_taken] first", "[Name_taken]", "[1abc]", "[]", "[name-taken]", "[name_taken].."]) {
      assert.equal(codeOf(message), null, message);
    }
  });
});

describe("isRightToLeft", () => {
  test("Arabic, with or without a region; not the others", () => {
    assert.equal(isRightToLeft("ar"), true);
    assert.equal(isRightToLeft("ar-EG"), true);
    assert.equal(isRightToLeft("AR_eg"), true);
    for (const language of ["en", "de", "ja", "hi", "zh-Hans", "", "arn"]) assert.equal(isRightToLeft(language), false, language);
  });
});
