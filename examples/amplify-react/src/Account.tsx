// The signed-in user's page: the name from their ID token, rename, release, and the cooldown
// the API tells (`Retry-After`).
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { fetchAuthSession } from "aws-amplify/auth";
import { Alert, Button, Flex, Heading, Text, TextField } from "@aws-amplify/ui-react";
import { isUsernamesApiError } from "@cognito-usernames/client";
import { isLocalCognito, usernames } from "./backend";

interface Props {
  email: string;
  signOut: () => void;
  /** The tokens still carry the old name and could not be refreshed: sign in again. */
  onStaleSession: (notice: string) => void;
  /** Signed in (again): a note asking to sign in is done with. */
  onSignedIn: () => void;
}

type Claims = { name: string | undefined };

/** The name the app shows is the ID token's `preferred_username`: the registry's, put there by
 * the pre-token-generation trigger (the pool's attribute may lag behind it). */
async function tokenName(forceRefresh = false): Promise<Claims> {
  const { tokens } = await fetchAuthSession({ forceRefresh });
  if (tokens?.idToken === undefined) throw new Error("no ID token");
  const name = tokens.idToken.payload.preferred_username;
  return { name: typeof name === "string" ? name : undefined };
}

export function Account({ email, signOut, onStaleSession, onSignedIn }: Props) {
  const [claims, setClaims] = useState<Claims | null>(null);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // When the user may rename again, from the 429's Retry-After (epoch ms).
  const [cooldownUntil, setCooldownUntil] = useState<number | null>(null);
  const [cooldownText, setCooldownText] = useState<string>("");
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    onSignedIn();
    tokenName().then(setClaims, () => setClaims({ name: undefined }));
  }, [onSignedIn]);
  useEffect(() => {
    if (cooldownUntil === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [cooldownUntil]);

  /**
   * After a rename or release, the user's tokens still carry the old name: get new ones. Amplify
   * v6 refreshes with `GetTokensFromRefreshToken`, which cognito-local 5.3.0 does not have (it
   * answers `CognitoLocal#Unsupported`); then the session cannot show the new name until the
   * user signs in again, so the app asks for that instead of showing a name that is no longer
   * theirs. Against Cognito the refresh works and the page just updates.
   */
  const showFresh = useCallback(
    async (expected: string | undefined, change: string) => {
      let fresh: Claims | null = null;
      try {
        fresh = await tokenName(true);
      } catch (refreshError) {
        console.warn("token refresh failed", refreshError);
      }
      if (fresh !== null && fresh.name === expected) {
        setClaims(fresh);
        setDone(change);
        return;
      }
      onStaleSession(
        `${change} Sign in again to see it in your session` +
          (isLocalCognito ? " (the local Cognito cannot refresh tokens)." : "."),
      );
    },
    [onStaleSession],
  );

  const failed = (caught: unknown) => {
    if (!isUsernamesApiError(caught)) throw caught;
    if (caught.code === "rename_cooldown" && caught.retryAfter !== undefined) {
      setCooldownUntil(Date.now() + caught.retryAfter * 1000);
      setCooldownText(caught.message);
      return;
    }
    if (caught.source === "api") return setError(caught.message); // in the user's language
    setError(caught.code === "network_error" ? "Check your connection and try again." : "Something went wrong; try again later.");
  };

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const { username } = await usernames.rename(draft);
      await showFresh(username, `Your username is now “${username}”.`);
      setDraft("");
    } catch (caught) {
      failed(caught);
    } finally {
      setBusy(false);
    }
  };

  const release = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const { previous } = await usernames.releaseName();
      await showFresh(undefined, previous ? `You gave up “${previous}”.` : "You have no username.");
    } catch (caught) {
      failed(caught);
    } finally {
      setBusy(false);
    }
  };

  const coolingDown = cooldownUntil !== null && cooldownUntil > now;
  return (
    <Flex direction="column" gap="medium" maxWidth="32rem" margin="2rem auto" data-testid="account">
      <Heading level={3}>Your account</Heading>
      <Text>
        Signed in as {email}. Your username:{" "}
        <strong data-testid="token-name">{claims === null ? "…" : (claims.name ?? "(none)")}</strong>
      </Text>
      {done && (
        <Alert variation="success" data-testid="account-done">
          {done}
        </Alert>
      )}
      <form onSubmit={rename}>
        <Flex direction="column" gap="small">
          <TextField
            label="New username"
            name="new_username"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            autoComplete="off"
            isRequired
            hasError={error !== null}
            errorMessage={error ?? undefined}
            data-testid="rename-input"
          />
          <Button type="submit" isDisabled={busy || coolingDown} data-testid="rename-submit">
            Rename
          </Button>
        </Flex>
      </form>
      {coolingDown && (
        <Alert variation="warning" data-testid="cooldown" data-until={new Date(cooldownUntil).toISOString()}>
          {cooldownText} Next rename: {new Date(cooldownUntil).toLocaleString()} (in{" "}
          {formatSeconds(Math.ceil((cooldownUntil - now) / 1000))}).
        </Alert>
      )}
      <Flex gap="small">
        <Button onClick={release} isDisabled={busy || claims?.name === undefined} data-testid="release">
          Give up my username
        </Button>
        <Button onClick={signOut} variation="link" data-testid="sign-out">
          Sign out
        </Button>
      </Flex>
    </Flex>
  );
}

function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}
