// amplify_outputs.json as `usernames dev` writes it (Amplify Gen 2's format, plus our `custom`
// block). vite.config.ts and tsconfig.json map the import to the file.
declare module "amplify_outputs.json" {
  const outputs: {
    version: string;
    auth: { user_pool_id: string; user_pool_client_id: string; aws_region: string } & Record<string, unknown>;
    custom: {
      /** The HTTP API: from `usernames dev`, from the repository's Amplify Gen 2 backend
       * (deploy/amplify), or a SAM stack's `ApiUrl` written here by hand. */
      usernamesApi?: { url: string };
      /** The local Cognito (cognito-local, from `usernames dev`); absent for a deployed pool. */
      userPoolEndpoint?: string;
    };
  };
  export default outputs;
}
