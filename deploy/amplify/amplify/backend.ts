import { defineBackend } from '@aws-amplify/backend';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, CfnFunction, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { auth } from './auth/resource';
import {
  postConfirmation,
  preSignUp,
  preTokenGeneration,
  usernamesApiSettings,
  usernamesCode,
  usernamesSettings,
} from './functions/usernames/resource';

const backend = defineBackend({
  auth,
  preSignUp,
  postConfirmation,
  preTokenGeneration,
});

// The registry of names, in a stack of its own: the schema of cognito-usernames' template.yaml
// and `usernames table create`. Kept when the backend is deleted.
const registryStack = backend.createStack('usernames-registry');
const registry = new Table(registryStack, 'UsernamesRegistry', {
  partitionKey: { name: 'name_key', type: AttributeType.STRING },
  billingMode: BillingMode.PAY_PER_REQUEST,
  timeToLiveAttribute: 'expires_at',
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  removalPolicy: RemovalPolicy.RETAIN,
});
registry.addGlobalSecondaryIndex({
  indexName: 'by_owner',
  partitionKey: { name: 'owner', type: AttributeType.STRING },
  sortKey: { name: 'name_key', type: AttributeType.STRING },
  projectionType: ProjectionType.ALL,
});

// The key of the hashes of emails, phone numbers and pending userNames kept with reservations
// (USERNAMES_CONTACT_HASH_KEY): generated, and resolved into the three triggers' environment
// when the stack deploys, so init makes no call for it. The functions refuse to start without
// it. The secret and those variables are encrypted under a key of their own: Lambda shows a
// function's variables only to whoever may decrypt them, and nobody without kms:Decrypt on this
// key (ReadOnlyAccess has none) reads the key's value, with which a scan of the table would give
// emails back. The HTTP API's function never gets it.
const contactHashKeyEncryption = new Key(registryStack, 'UsernamesContactHashKeyEncryption', {
  description: 'cognito-usernames: encrypts the contact-hash key and the variables that hold it',
  enableKeyRotation: true,
  pendingWindow: Duration.days(7),
  removalPolicy: RemovalPolicy.DESTROY,
});
const contactHashKey = new Secret(registryStack, 'UsernamesContactHashKey', {
  description: 'cognito-usernames key of the contact hashes (USERNAMES_CONTACT_HASH_KEY)',
  generateSecretString: { passwordLength: 64, excludePunctuation: true },
  encryptionKey: contactHashKeyEncryption,
});

// Each trigger gets the table's name and only the actions it uses, on the table alone (a
// commit is a transaction of updates, which IAM grants as dynamodb:UpdateItem).
const grants = [
  { trigger: backend.preSignUp, actions: ['dynamodb:PutItem'] },
  { trigger: backend.postConfirmation, actions: ['dynamodb:UpdateItem'] },
  { trigger: backend.preTokenGeneration, actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
];
for (const { trigger, actions } of grants) {
  const lambda = trigger.resources.lambda;
  trigger.addEnvironment('USERNAMES_TABLE', registry.tableName);
  trigger.addEnvironment('USERNAMES_CONTACT_HASH_KEY', contactHashKey.secretValue.unsafeUnwrap());
  (lambda.node.defaultChild as CfnFunction).kmsKeyArn = contactHashKeyEncryption.keyArn;
  contactHashKeyEncryption.grantDecrypt(lambda);
  lambda.addToRolePolicy(new PolicyStatement({ actions, resources: [registry.tableArn] }));
}
// Pre-sign-up asks the pool whether the holder of a colliding reservation still exists (only
// when the sign-up shares that reservation's email). The pool calls this function, so it is
// named by this account's pools in the region rather than by its ARN (no cycle).
backend.preSignUp.resources.lambda.addToRolePolicy(
  new PolicyStatement({
    actions: ['cognito-idp:AdminGetUser'],
    resources: [`arn:${Aws.PARTITION}:cognito-idp:${Aws.REGION}:${Aws.ACCOUNT_ID}:userpool/*`],
  }),
);

const { cfnUserPool, cfnUserPoolClient } = backend.auth.resources.cfnResources;

// Users choose their name at sign-up, so the app client must be able to write
// preferred_username; the same permission lets a signed-in user change it with
// UpdateUserAttributes, which no trigger sees: their tokens still carry the name they own.
cfnUserPoolClient.readAttributes = ['email', 'email_verified', 'preferred_username'];
cfnUserPoolClient.writeAttributes = ['email', 'preferred_username'];

// Access-token customisation (USERNAMES_ACCESS_TOKEN_USERNAME, USERNAMES_ACCESS_TOKEN_CLAIMS)
// needs V2_0 events, which need the Essentials or Plus feature plan. defineAuth registers the
// trigger for V1_0 events; this switches the same function to V2_0.
const accessTokenEvents: boolean = false;
if (accessTokenEvents) {
  cfnUserPool.userPoolTier = 'ESSENTIALS';
  cfnUserPool.addPropertyOverride('LambdaConfig.PreTokenGenerationConfig', {
    LambdaArn: backend.preTokenGeneration.resources.lambda.functionArn,
    LambdaVersion: 'V2_0',
  });
}

// The HTTP API (docs/api.md): GET /v1/usernames/{name} for anyone, PUT and DELETE
// /v1/me/username for the signed-in user, in a stack of its own (it reads from the auth and
// registry stacks; nothing reads from it, so no cycle). An app that already has an HTTP API can
// add the same three routes to it instead: httpApi.addRoutes below, with that API.
const apiStack = backend.createStack('usernames-api');
const { userPool, userPoolClient } = backend.auth.resources;

const usernameApi = new Function(apiStack, 'UsernameApi', {
  runtime: Runtime.PROVIDED_AL2023,
  architecture: Architecture.ARM_64,
  handler: 'bootstrap',
  // A rename makes up to four calls of at most 3 s each (the caller's first-version names, the
  // registry, the pool's attribute, the undo of a name the pool refuses); API Gateway waits 30 s.
  timeout: Duration.seconds(15),
  memorySize: 128,
  code: usernamesCode('username-api'),
  environment: {
    ...usernamesSettings,
    ...usernamesApiSettings,
    USERNAMES_TABLE: registry.tableName,
    // The pool whose preferred_username a rename mirrors (AdminUpdateUserAttributes).
    USERNAMES_USER_POOL_ID: userPool.userPoolId,
  },
  logGroup: new LogGroup(apiStack, 'UsernameApiLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  }),
});
// Only what its routes call: reads (a taken name's suggestions in one BatchGetItem), the rename
// and release transactions (updates and deletes), the caller's first-version names (a query of
// the by_owner index), the attribute of this pool's users (set by a rename, removed by a
// release), and the pool's settings, read once at init to open the connection.
usernameApi.addToRolePolicy(
  new PolicyStatement({
    actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    resources: [registry.tableArn],
  }),
);
usernameApi.addToRolePolicy(
  new PolicyStatement({
    actions: ['dynamodb:Query'],
    resources: [`${registry.tableArn}/index/by_owner`],
  }),
);
usernameApi.addToRolePolicy(
  new PolicyStatement({
    actions: [
      'cognito-idp:AdminUpdateUserAttributes',
      'cognito-idp:AdminDeleteUserAttributes',
      'cognito-idp:GetUserPoolMfaConfig',
    ],
    resources: [userPool.userPoolArn],
  }),
);

/** Your app's origins (the API takes bearer tokens, never cookies). */
const apiCorsOrigins = ['*'];
const httpApi = new HttpApi(apiStack, 'UsernameHttpApi', {
  description: 'cognito-usernames: name availability and rename',
  corsPreflight: {
    allowOrigins: apiCorsOrigins,
    allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
    allowHeaders: ['authorization', 'content-type', 'accept-language'],
    exposeHeaders: ['retry-after'],
    maxAge: Duration.minutes(10),
  },
  // The stage is added below, with throttling.
  createDefaultStage: false,
});
// The public availability route is throttled with every other route of the stage.
httpApi.addStage('DefaultStage', {
  stageName: '$default',
  autoDeploy: true,
  throttle: { burstLimit: 20, rateLimit: 10 },
});

// API Gateway checks the token before the function runs: issuer = this pool, audience = its app
// client (an access token's client_id or an ID token's aud). The function reads sub from the
// verified claims, never from the body.
const signedIn = new HttpUserPoolAuthorizer('CognitoJwt', userPool, {
  userPoolClients: [userPoolClient],
  identitySource: ['$request.header.Authorization'],
});
const integration = new HttpLambdaIntegration('UsernameApiIntegration', usernameApi);
httpApi.addRoutes({
  path: '/v1/usernames/{name}',
  methods: [HttpMethod.GET],
  integration,
});
// The API's OpenAPI 3.1 document, public like availability.
httpApi.addRoutes({
  path: '/v1/openapi.json',
  methods: [HttpMethod.GET],
  integration,
});
httpApi.addRoutes({
  path: '/v1/me/username',
  methods: [HttpMethod.PUT, HttpMethod.DELETE],
  integration,
  authorizer: signedIn,
});

// The base URL, for the app: amplify_outputs.json's custom.usernamesApi.url.
backend.addOutput({
  custom: {
    usernamesApi: { url: httpApi.apiEndpoint },
  },
});
