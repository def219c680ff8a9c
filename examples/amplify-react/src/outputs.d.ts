// amplify_outputs.json as `usernames dev` writes it (Amplify Gen 2's format, plus our `custom`
// block). vite.config.ts and tsconfig.json map the import to the file.
declare module "amplify_outputs.json" {
  const outputs: {
    version: string;
    auth: { user_pool_id: string; user_pool_client_id: string; aws_region: string } & Record<string, unknown>;
    custom: {
      /** The HTTP API, from `usernames dev` (or a SAM stack's `ApiUrl`, written here by hand). */
      usernames_api_url?: string;
      /** The HTTP API, from the repository's Amplify Gen 2 backend (deploy/amplify). */
      usernamesApi?: { url: string };
      /** The local Cognito (cognito-local); absent for a deployed pool. */
      cognito_endpoint?: string;
    };
  };
  export default outputs;
}
