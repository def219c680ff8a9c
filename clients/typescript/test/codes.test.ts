// src/codes.ts is what scripts/generate.mjs writes from the catalogue and the OpenAPI document
// today, so that CI fails when someone changes the Rust messages and forgets to regenerate.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import {
  API_ERROR_CODES,
  CODE_PATTERN,
  CODES,
  DEFAULT_LOCALE,
  LOCALES,
  POLICY_CODES,
  RIGHT_TO_LEFT_LOCALES,
  TRIGGER_ONLY_CODES,
  UNITS,
  type CodeParameters,
  type Locale,
  type PolicyCode,
} from "../src/index.js";
import { openapiPath, readCatalogue, type Catalogue } from "./catalogue.js";
import { packageRoot } from "./paths.js";

interface Generator {
  render(catalogue: unknown, openapi: unknown): string;
  renderFromDisk(): string;
}

interface OpenApi {
  components: { schemas: Record<string, { enum?: string[] }> };
}

async function generator(): Promise<Generator> {
  return (await import(pathToFileURL(join(packageRoot, "scripts/generate.mjs")).href)) as Generator;
}

const readOpenApi = () => JSON.parse(readFileSync(openapiPath, "utf8")) as OpenApi;

describe("src/codes.ts", () => {
  test("is what scripts/generate.mjs writes now (else: npm run generate)", async () => {
    const current = readFileSync(join(packageRoot, "src/codes.ts"), "utf8");
    assert.equal(current, (await generator()).renderFromDisk(), "src/codes.ts is stale: run `npm run generate` in clients/typescript");
  });

  test("the comparison above sees a new code, a new locale and a new pattern", async () => {
    const { render } = await generator();
    const catalogue = readCatalogue();
    const today = render(catalogue, readOpenApi());
    const anyMessage = Object.values(catalogue.messages)[0];
    const withCode: Catalogue = { ...catalogue, messages: { ...catalogue.messages, brand_new_rule: anyMessage! } };
    assert.notEqual(render(withCode, readOpenApi()), today);
    assert.match(render(withCode, readOpenApi()), /"brand_new_rule",/);
    const openapi = readOpenApi();
    openapi.components.schemas["Locale"]!.enum!.push("uk");
    assert.notEqual(render({ ...catalogue, locales: [...catalogue.locales, "uk"] }, openapi), today);
    assert.notEqual(render({ ...catalogue, code_pattern: "\\[([a-z]+)\\]$" }, readOpenApi()), today);
  });

  test("the generator refuses a catalogue and a document that disagree", async () => {
    const { render } = await generator();
    const catalogue = readCatalogue();
    const openapi = readOpenApi();
    openapi.components.schemas["PolicyCode"]!.enum!.push("not_in_the_catalogue");
    openapi.components.schemas["ErrorCode"]!.enum!.push("not_in_the_catalogue");
    assert.throws(() => render(catalogue, openapi), /not_in_the_catalogue has no sentence/);
    const locales = readOpenApi();
    locales.components.schemas["Locale"]!.enum!.pop();
    assert.throws(() => render(catalogue, locales), /locales differ/);
    assert.throws(() => render({ ...catalogue, code_pattern: "[" }, readOpenApi()), SyntaxError);
  });

  test("holds the catalogue's codes, locales and pattern, and the document's groups", () => {
    const catalogue = readCatalogue();
    const schemas = readOpenApi().components.schemas;
    assert.deepEqual([...CODES], Object.keys(catalogue.messages).sort());
    assert.deepEqual([...LOCALES], catalogue.locales);
    assert.equal(DEFAULT_LOCALE, catalogue.default_locale);
    assert.deepEqual([...RIGHT_TO_LEFT_LOCALES], catalogue.right_to_left);
    assert.deepEqual([...UNITS], catalogue.units);
    assert.equal(CODE_PATTERN.source, catalogue.code_pattern);
    assert.deepEqual([...POLICY_CODES], schemas["PolicyCode"]?.enum);
    assert.deepEqual([...API_ERROR_CODES], schemas["ErrorCode"]?.enum);
    for (const code of TRIGGER_ONLY_CODES) assert.ok(!(API_ERROR_CODES as readonly string[]).includes(code));
    assert.equal(CODES.length, new Set([...API_ERROR_CODES, ...TRIGGER_ONLY_CODES]).size);
  });

  test("CODE_PATTERN works on the catalogue's examples as the Rust code_in does", () => {
    assert.equal(CODE_PATTERN.exec("Dieser Benutzername ist bereits vergeben. [name_taken].")?.[1], "name_taken");
    assert.equal(CODE_PATTERN.exec("[name_taken] Dieser"), null);
  });
});

// Type-level checks: these fail to compile (and so fail `npm test`) when codes.ts loses them.
const tooShort: CodeParameters["too_short"] = { min: 3 };
const cooldown: CodeParameters["rename_cooldown"] = { count: 2, unit: "hour" };
const display: CodeParameters["not_display_form"] = { display: "Jürgen_M" };
// @ts-expect-error a unit the catalogue does not have
const badUnit: CodeParameters["rename_cooldown"] = { count: 2, unit: "fortnight" };
// @ts-expect-error name_taken's sentence takes no values
const noValues: CodeParameters["name_taken"] = { name: "x" };
// @ts-expect-error name_taken is no policy refusal
const notPolicy: PolicyCode = "name_taken";
// @ts-expect-error Traditional Chinese is not a locale of the catalogue
const notLocale: Locale = "zh-Hant";

test("the type-level checks compiled", () => {
  assert.deepEqual([tooShort, cooldown, display, badUnit, noValues, notPolicy, notLocale].length, 7);
});
