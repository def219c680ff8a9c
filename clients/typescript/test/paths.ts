// Where things are, from the compiled test (.build/test/*.js): the tests read the repository's
// catalogue and start its server, so they must find them wherever the clone is.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** clients/typescript. */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
/** The repository. */
export const repoRoot = join(packageRoot, "../..");

if (!existsSync(join(packageRoot, "scripts/generate.mjs"))) {
  throw new Error(`test/paths.ts: ${packageRoot} is not clients/typescript; run the tests compiled into .build/test`);
}
