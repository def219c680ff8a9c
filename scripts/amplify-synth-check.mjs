// Synthesizes the Amplify Gen 2 snippet (deploy/amplify/amplify, compiled by scripts/check-amplify
// into deploy/amplify/node_modules/.usernames-synth) as `ampx sandbox` would, without AWS and
// without building the Rust functions: a stand-in `cargo` on PATH writes an empty bootstrap for
// each function's asset. Then checks what the HTTP API part must be (docs/api.md, docs/deploy.md):
// the routes and who may call them, the JWT authorizer of the pool's app client, throttling, the
// function's settings and only its actions, and the URL in the app's outputs.
// Usage: node scripts/amplify-synth-check.mjs <compiled dir>
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const compiled = process.argv[2];
const work = mkdtempSync(join(tmpdir(), 'usernames-amplify-synth-'));
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

try {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'cargo'),
    '#!/bin/sh\n# stand-in for `cargo lambda build ... --lambda-dir DIR`: an empty bootstrap\n' +
      'while [ $# -gt 0 ]; do [ "$1" = "--lambda-dir" ] && dir="$2"; shift; done\n' +
      'mkdir -p "$dir" && : > "$dir/bootstrap"\n'
  );
  chmodSync(join(bin, 'cargo'), 0o755);
  mkdirSync(join(work, 'checkout'));
  const out = join(work, 'cdk.out');
  execFileSync(process.execPath, [join(compiled, 'amplify', 'backend.js')], {
    cwd: compiled,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      USERNAMES_REPO: join(work, 'checkout'),
      CDK_OUTDIR: out,
      CDK_DEFAULT_REGION: 'eu-west-1',
      CDK_DEFAULT_ACCOUNT: '123456789012',
      CDK_CONTEXT_JSON: JSON.stringify({
        'amplify-backend-namespace': 'usernames',
        'amplify-backend-name': 'check',
        'amplify-backend-type': 'sandbox'
      })
    }
  });

  const templates = readdirSync(out)
    .filter(f => f.endsWith('.template.json'))
    .map(f => ({ file: f, t: JSON.parse(readFileSync(join(out, f), 'utf8')) }));
  const resources = (t, type) =>
    Object.values(t.Resources ?? {})
      .filter(r => r.Type === type)
      .map(r => r.Properties ?? {});
  const api = templates.find(({ t }) => resources(t, 'AWS::ApiGatewayV2::Api').length > 0);
  check(api !== undefined, 'a stack with the HTTP API');
  if (api !== undefined) {
    const t = api.t;
    const routes = Object.fromEntries(
      resources(t, 'AWS::ApiGatewayV2::Route').map(r => [r.RouteKey, r.AuthorizationType])
    );
    check(
      JSON.stringify(routes, Object.keys(routes).sort()) ===
        JSON.stringify({
          'DELETE /v1/me/username': 'JWT',
          'GET /v1/openapi.json': 'NONE',
          'GET /v1/usernames/{name}': 'NONE',
          'PUT /v1/me/username': 'JWT'
        }),
      `the four routes, public availability and OpenAPI document, signed-in rename and release: ${JSON.stringify(
        routes
      )}`
    );
    const [authorizer] = resources(t, 'AWS::ApiGatewayV2::Authorizer');
    const jwt = authorizer?.JwtConfiguration ?? {};
    check(authorizer?.AuthorizerType === 'JWT', 'a JWT authorizer');
    check(
      JSON.stringify(jwt.Issuer ?? '').includes('https://cognito-idp.') &&
        JSON.stringify(jwt.Issuer ?? '').includes('UserPool'),
      `the issuer is the Amplify pool: ${JSON.stringify(jwt.Issuer)}`
    );
    check(
      jwt.Audience?.length === 1 && JSON.stringify(jwt.Audience).includes('UserPoolAppClient'),
      `the audience is the pool's app client: ${JSON.stringify(jwt.Audience)}`
    );
    const [stage] = resources(t, 'AWS::ApiGatewayV2::Stage');
    check(
      stage?.StageName === '$default' &&
        stage.DefaultRouteSettings?.ThrottlingBurstLimit > 0 &&
        stage.DefaultRouteSettings?.ThrottlingRateLimit > 0,
      `the default stage throttles every route: ${JSON.stringify(stage)}`
    );
    const integrations = resources(t, 'AWS::ApiGatewayV2::Integration');
    check(
      integrations.length === 1 && integrations[0].PayloadFormatVersion === '2.0',
      'one Lambda integration, payload 2.0 (what lambda_http reads)'
    );
    const [fn] = resources(t, 'AWS::Lambda::Function');
    const env = fn?.Environment?.Variables ?? {};
    for (const v of [
      'USERNAMES_TABLE',
      'USERNAMES_USER_POOL_ID',
      'USERNAMES_SOURCE',
      'USERNAMES_QUARANTINE',
      'USERNAMES_RENAME_COOLDOWN'
    ]) {
      check(v in env, `the API function gets ${v}`);
    }
    check(
      !('USERNAMES_CONTACT_HASH_KEY' in env),
      'the API function never sees the contact-hash key (it hashes no contact)'
    );
    check(
      fn?.Runtime === 'provided.al2023' && fn?.Architectures?.[0] === 'arm64',
      'provided.al2023 on arm64'
    );
    const statements = resources(t, 'AWS::IAM::Policy').flatMap(
      p => p.PolicyDocument?.Statement ?? []
    );
    const actions = statements.flatMap(s => [s.Action].flat()).sort();
    check(
      JSON.stringify(actions) ===
        JSON.stringify([
          'cognito-idp:AdminDeleteUserAttributes',
          'cognito-idp:AdminUpdateUserAttributes',
          'cognito-idp:GetUserPoolMfaConfig',
          'dynamodb:BatchGetItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem'
        ]),
      `only the actions its routes call: ${JSON.stringify(actions)}`
    );
    check(
      statements.every(s => typeof s.Resource === 'object' && !Array.isArray(s.Resource)),
      'each statement on one resource (the table, the pool), never *'
    );
    check(
      statements.some(
        s =>
          [s.Action].flat().includes('cognito-idp:AdminUpdateUserAttributes') &&
          JSON.stringify(s.Resource).includes('UserPool')
      ),
      'AdminUpdateUserAttributes on the Amplify pool'
    );
  }
  // The contact-hash key: only in the three triggers' variables, which are encrypted under the
  // key of its own that also encrypts the secret; pre-sign-up may ask the pool after a holder.
  const functions = templates.flatMap(({ t }) => resources(t, 'AWS::Lambda::Function'));
  const hashing = functions.filter(f => 'USERNAMES_CONTACT_HASH_KEY' in (f.Environment?.Variables ?? {}));
  check(hashing.length === 3, `three functions hold the contact-hash key: ${hashing.length}`);
  check(
    hashing.every(f => JSON.stringify(f.KmsKeyArn ?? '').includes('UsernamesContactHashKeyEncryption')),
    'the variables holding the contact-hash key are encrypted under its key'
  );
  const secrets = templates.flatMap(({ t }) => resources(t, 'AWS::SecretsManager::Secret'));
  check(
    secrets.length === 1 &&
      JSON.stringify(secrets[0].KmsKeyId ?? '').includes('UsernamesContactHashKeyEncryption'),
    'the secret is encrypted under the same key'
  );
  const triggerActions = templates
    .flatMap(({ t }) => resources(t, 'AWS::IAM::Policy'))
    .flatMap(p => p.PolicyDocument?.Statement ?? [])
    .flatMap(s => [s.Action].flat());
  check(
    triggerActions.includes('cognito-idp:AdminGetUser'),
    'pre-sign-up may ask the pool after the holder of a colliding reservation'
  );
  const outputs = templates
    .map(({ t }) => t.Outputs?.customOutputs?.Value)
    .find(v => v !== undefined);
  check(
    JSON.stringify(outputs ?? '').includes('\\"usernamesApi\\":{\\"url\\":') &&
      JSON.stringify(outputs ?? '').includes('ApiEndpoint'),
    `amplify_outputs.json gets custom.usernamesApi.url: ${JSON.stringify(outputs)}`
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(
    `the synthesized Amplify backend is not as documented:\n- ${failures.join('\n- ')}`
  );
  process.exit(1);
}
console.log('ok: the synthesized backend has the HTTP API as documented');
