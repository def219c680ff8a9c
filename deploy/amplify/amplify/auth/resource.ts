import { defineAuth } from '@aws-amplify/backend';
import { postConfirmation, preSignUp, preTokenGeneration } from '../functions/usernames/resource';

export const auth = defineAuth({
  // Email sign-in; Amplify makes it case-insensitive.
  loginWith: {
    email: true,
  },
  userAttributes: {
    // The display name: optional, and mutable (Cognito itself never checks it; the triggers do).
    preferredUsername: {
      mutable: true,
      required: false,
    },
  },
  triggers: {
    preSignUp,
    postConfirmation,
    preTokenGeneration,
  },
});
