// Vite for the example app: React, the repository's TypeScript client compiled from its source,
// and the backend's amplify_outputs.json from wherever `usernames dev` wrote it.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
// The client is a `file:` dependency (package.json): its package exports the compiled `dist/`,
// which a fresh clone has not built. Vite compiles its TypeScript source instead, so
// `npm ci && npm run dev` is all the app needs, and a change to the client shows at once.
const client = resolve(here, "../../clients/typescript");
// `usernames dev --dir DIR` writes DIR/amplify_outputs.json; AMPLIFY_OUTPUTS points at it.
// Without it, ./amplify_outputs.json (where `usernames dev --dir .` or Amplify's tools put it).
const outputs = resolve(process.env.AMPLIFY_OUTPUTS ?? resolve(here, "amplify_outputs.json"));
if (!existsSync(outputs)) {
  throw new Error(
    `${outputs} does not exist: start the backend with \`usernames dev --dir DIR\` and set ` +
      "AMPLIFY_OUTPUTS=DIR/amplify_outputs.json (see docs/app-quickstart.md)",
  );
}

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      "@cognito-usernames/client": resolve(client, "src/index.ts"),
      "amplify_outputs.json": outputs,
    },
  },
  server: {
    // The outputs file and the client live outside this folder: let the dev server read them.
    fs: { allow: [here, client, dirname(outputs)] },
  },
});
