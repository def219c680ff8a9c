import { defineBackend } from '@aws-amplify/backend';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { auth } from './auth/resource';
import { postConfirmation, preSignUp, preTokenGeneration } from './functions/usernames/resource';

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

// The key of the hashes of emails and phone numbers kept with pending reservations
// (USERNAMES_CONTACT_HASH_KEY): generated, and resolved into the functions' environment when the
// stack deploys, so init makes no call for it. The functions refuse to start without it.
const contactHashKey = new Secret(registryStack, 'UsernamesContactHashKey', {
  description: 'cognito-usernames key of the contact hashes (USERNAMES_CONTACT_HASH_KEY)',
  generateSecretString: { passwordLength: 64, excludePunctuation: true },
});

// Each trigger gets the table's name and only the actions it uses, on the table alone (a
// commit is a transaction of updates, which IAM grants as dynamodb:UpdateItem).
const grants = [
  { trigger: backend.preSignUp, actions: ['dynamodb:PutItem'] },
  { trigger: backend.postConfirmation, actions: ['dynamodb:UpdateItem'] },
  { trigger: backend.preTokenGeneration, actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
];
for (const { trigger, actions } of grants) {
  trigger.addEnvironment('USERNAMES_TABLE', registry.tableName);
  trigger.addEnvironment('USERNAMES_CONTACT_HASH_KEY', contactHashKey.secretValue.unsafeUnwrap());
  trigger.resources.lambda.addToRolePolicy(
    new PolicyStatement({ actions, resources: [registry.tableArn] }),
  );
}

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
