// Connects the app to its backend: Amplify's Auth from amplify_outputs.json, pointed at the local
// Cognito when there is one, and the usernames HTTP API client.
import { Amplify, type ResourcesConfig } from "aws-amplify";
import { fetchAuthSession } from "aws-amplify/auth";
import { parseAmplifyConfig } from "aws-amplify/utils";
import { createUsernamesClient } from "@cognito-usernames/client";
import outputs from "amplify_outputs.json";

const config = parseAmplifyConfig(outputs);
const cognito = config.Auth?.Cognito;
if (!cognito?.userPoolId || !cognito.userPoolClientId) {
  throw new Error("amplify_outputs.json has no user pool (auth.user_pool_id, auth.user_pool_client_id)");
}
Amplify.configure({
  ...config,
  // (A cast: the parsed config's type is a union of user-pool and identity-pool shapes.)
  Auth: {
    Cognito: {
      ...cognito,
      // Amplify's Gen 2 outputs have no field for a Cognito endpoint, but Amplify JS v6 takes one
      // (`userPoolEndpoint`): every user-pool call then goes to cognito-local.
      ...(outputs.custom.userPoolEndpoint ? { userPoolEndpoint: outputs.custom.userPoolEndpoint } : {}),
    },
  } as ResourcesConfig["Auth"],
});

/** Whether the user pool is cognito-local (which cannot refresh tokens, see Account.tsx). */
export const isLocalCognito = Boolean(outputs.custom.userPoolEndpoint);

/** The user's languages, for the API's sentences and the triggers' (`clientMetadata.locale`). */
export const languages = (): readonly string[] => navigator.languages;

const apiUrl = outputs.custom.usernamesApi?.url;
if (apiUrl === undefined) {
  throw new Error("amplify_outputs.json names no usernames API (custom.usernamesApi.url)");
}

export const usernames = createUsernamesClient({
  baseUrl: apiUrl,
  // Asked at every rename and release, never for availability (a public route).
  getToken: async () => (await fetchAuthSession()).tokens?.accessToken?.toString(),
  language: languages,
});
