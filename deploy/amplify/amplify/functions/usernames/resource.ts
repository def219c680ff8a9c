// The three cognito-usernames triggers as Amplify Gen 2 functions: CDK functions on
// provided.al2023 (arm64), built by cargo-lambda from a checkout of the repository, wrapped by
// defineFunction. Amplify's own function options (environment, timeout...) do not apply to
// custom functions, so they are set on the CDK Function here. The HTTP API's function is built
// the same way (usernamesCode) and defined in backend.ts, with the API in front of it.
import { defineFunction } from '@aws-amplify/backend';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import { Architecture, Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The cognito-usernames checkout (a git submodule, say), relative to the directory `ampx` runs
 * in: the project root. Set USERNAMES_REPO to put it elsewhere.
 */
const repository = path.resolve(process.env.USERNAMES_REPO ?? 'cognito-usernames');

/**
 * The configuration every trigger reads at init (the README lists each variable). All three get
 * the same values: post-confirmation re-checks a name with the policy pre-sign-up applied.
 * USERNAMES_TABLE and USERNAMES_CONTACT_HASH_KEY are added in backend.ts, where the registry
 * table and the key's secret are defined.
 */
export const usernamesSettings: Record<string, string> = {
  USERNAMES_SOURCE: 'preferred_username',
  USERNAMES_REQUIRED: 'false',
  USERNAMES_MIN_LENGTH: '3',
  USERNAMES_MAX_LENGTH: '32',
  USERNAMES_RESERVED: '',
  // Suggested: 'admin,moderator,support,official,helpdesk,security,billing,sysop,webmaster,verified'
  // and your brand names (docs/operations.md#operator-rules).
  USERNAMES_RESERVED_CONTAINS: '',
  USERNAMES_RULES_CACHE: '60s',
  USERNAMES_SCRIPT_POLICY: 'single-script',
  USERNAMES_REJECT_PII_LOOKALIKES: 'true',
  USERNAMES_DOMAIN_TLDS: 'linkify',
  USERNAMES_DEFAULT_LOCALE: 'en',
  USERNAMES_PENDING_TTL: '24h',
  USERNAMES_ADMIN_PENDING_TTL: '7d',
  USERNAMES_AUTO_CONFIRM: 'false',
  USERNAMES_AUTO_VERIFY_EMAIL: 'false',
  USERNAMES_AUTO_VERIFY_PHONE: 'false',
  USERNAMES_SUPPRESS_CLAIMS: '',
  USERNAMES_ACCESS_TOKEN_USERNAME: 'false',
  USERNAMES_ACCESS_TOKEN_CLAIMS: '',
  USERNAMES_LOG: 'info',
};

/**
 * What only the HTTP API's function reads (docs/api.md): how long a name given up stays held for
 * its previous owner, and the least time between two renames of one user. The function also
 * gets usernamesSettings (the policy, USERNAMES_SOURCE) and, in backend.ts, the table and the
 * pool whose preferred_username a rename mirrors.
 */
export const usernamesApiSettings: Record<string, string> = {
  USERNAMES_QUARANTINE: '14d',
  USERNAMES_RENAME_COOLDOWN: '24h',
};

/** A trigger's Cargo binary, which is also its function's name. */
type Trigger = 'pre-sign-up' | 'post-confirmation' | 'pre-token-generation';

/** The code of one of the checkout's Lambda binaries, built by cargo-lambda on this machine. */
export function usernamesCode(binary: Trigger | 'username-api'): Code {
  return Code.fromAsset(repository, {
    // Hash the built binary, not the whole checkout (target/ included).
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local build below either succeeds or throws.
      image: DockerImage.fromRegistry('dummy'),
      local: {
        tryBundle(outputDir: string) {
          execFileSync(
            'cargo',
            [
              'lambda',
              'build',
              '--release',
              '--arm64',
              '--bin',
              binary,
              '--lambda-dir',
              outputDir,
              '--flatten',
              binary,
            ],
            { cwd: repository, stdio: 'inherit' },
          );
          return true;
        },
      },
    },
  });
}

function usernamesTrigger(binary: Trigger) {
  return defineFunction(
    (scope) =>
      new Function(scope, binary, {
        runtime: Runtime.PROVIDED_AL2023,
        architecture: Architecture.ARM_64,
        handler: 'bootstrap',
        // Cognito waits 5 s for a trigger; the registry calls give up after 3 s.
        timeout: Duration.seconds(5),
        memorySize: 128,
        environment: usernamesSettings,
        code: usernamesCode(binary),
      }),
    // In the auth stack, with the user pool that calls it (no cross-stack cycle).
    { resourceGroupName: 'auth' },
  );
}

export const preSignUp = usernamesTrigger('pre-sign-up');
export const postConfirmation = usernamesTrigger('post-confirmation');
export const preTokenGeneration = usernamesTrigger('pre-token-generation');
