// The app: Amplify UI's Authenticator (sign-up with a username field, email sign-in) around the
// account page.
import { useCallback, useState } from "react";
import { signIn, signUp, type SignInInput } from "aws-amplify/auth";
import { Alert, Authenticator } from "@aws-amplify/ui-react";
import { Account } from "./Account";
import { handleSignUp, UsernameField, validateCustomSignUp } from "./signUp";

const services = {
  validateCustomSignUp,
  handleSignUp: handleSignUp as typeof signUp,
  // Password sign-in: cognito-local has no SRP (Amplify's default). A deployed app client must
  // allow USER_PASSWORD_AUTH for it, or leave this out there.
  // (The casts: Amplify UI types these as Amplify's `signIn`/`signUp`, which also have an
  // overload taking a server context first.)
  handleSignIn: ((input: SignInInput) =>
    signIn({ ...input, options: { ...input.options, authFlowType: "USER_PASSWORD_AUTH" } })) as typeof signIn,
};

const components = {
  SignUp: {
    FormFields() {
      return (
        <>
          <Authenticator.SignUp.FormFields />
          <UsernameField />
        </>
      );
    },
  },
};

export default function App() {
  // Why the user was asked to sign in again (after a rename the session could not refresh).
  const [notice, setNotice] = useState<string | null>(null);
  const clearNotice = useCallback(() => setNotice(null), []);
  return (
    <>
      {notice && (
        <Alert variation="info" maxWidth="32rem" margin="1rem auto" data-testid="notice">
          {notice}
        </Alert>
      )}
      <Authenticator services={services} components={components}>
        {({ signOut, user }) => (
          <Account
            key={user?.userId}
            email={user?.signInDetails?.loginId ?? user?.username ?? ""}
            signOut={() => {
              setNotice(null);
              signOut?.();
            }}
            onSignedIn={clearNotice}
            onStaleSession={(text) => {
              setNotice(text);
              signOut?.();
            }}
          />
        )}
      </Authenticator>
    </>
  );
}
