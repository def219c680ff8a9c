// The message catalogue, typed as far as the tests read it.

import { readFileSync } from "node:fs";
import { join } from "node:path";

import { repoRoot } from "./paths.js";

export interface CatalogueMessage {
  readonly parameters: Readonly<Record<string, string>>;
  readonly example: {
    readonly arguments: Readonly<Record<string, unknown>>;
    readonly text: Readonly<Record<string, string>>;
  };
}

export interface Catalogue {
  readonly format: number;
  readonly code_pattern: string;
  readonly default_locale: string;
  readonly locales: readonly string[];
  readonly right_to_left: readonly string[];
  readonly units: readonly string[];
  readonly messages: Readonly<Record<string, CatalogueMessage>>;
}

export const cataloguePath = join(repoRoot, "catalogue/messages.json");
export const openapiPath = join(repoRoot, "shared/src/api/openapi.json");

export function readCatalogue(): Catalogue {
  return JSON.parse(readFileSync(cataloguePath, "utf8")) as Catalogue;
}
