// The sign-up form's username: a live availability check as the user types (Amplify UI's
// `validateCustomSignUp`, debounced), and the pre-sign-up trigger's refusal shown on the field.
import { useEffect, useSyncExternalStore } from "react";
import { signUp, type SignUpInput } from "aws-amplify/auth";
import { Text, TextField, useAuthenticator } from "@aws-amplify/ui-react";
import { isUsernamesApiError, parseSignUpError, type Availability } from "@cognito-usernames/client";
import { languages, usernames } from "./backend";

/** What the field shows under the name in it. */
export type FieldState =
  | { status: "empty" }
  | { status: "checking"; name: string }
  | { status: "available"; name: string }
  | { status: "unavailable"; name: string; code: string; message: string; suggestions: readonly string[] }
  // The check failed (network, server): say nothing, the sign-up decides.
  | { status: "unknown"; name: string };

const DEBOUNCE_MS = 300;
// An answer is reused for this long: the check Amplify UI runs again at submit, and the checks it
// runs while the user types in other fields, ask nothing. Availability is advice either way: the
// pre-sign-up trigger decides, and its refusal replaces the answer (`refuse` below).
const ANSWER_TTL_MS = 30_000;

let state: FieldState = { status: "empty" };
const listeners = new Set<() => void>();
const answers = new Map<string, { at: number; state: FieldState }>();
let latestCall = 0;
// The field's value as the user types it (see validateCustomSignUp).
let typed = "";
// The trigger's sentences shown on the field, not in Amplify UI's form alert (handleSignUp).
const fieldRefusals = new Set<string>();

function publish(next: FieldState): void {
  state = next;
  for (const listener of listeners) listener();
}

function stateOf(name: string, answer: Availability): FieldState {
  if (answer.available) return { status: "available", name };
  const suggestions = answer.suggestions ?? (answer.suggestion ? [answer.suggestion] : []);
  return { status: "unavailable", name, code: answer.code, message: answer.message, suggestions };
}

function errorOf(field: FieldState): Record<string, string> | undefined {
  return field.status === "unavailable" ? { preferred_username: field.message } : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `services.validateCustomSignUp`: Amplify UI calls it with the whole form at a change or blur
 * of any field, and at submit, and drops the result of a call a newer one replaced. But while a
 * call is pending, Amplify UI records the keystrokes without calling again, and takes that
 * call's answer for the form: so the call follows the field itself (`typed`, from the input's
 * own `onChange`) until it stops changing for the debounce, and answers for the name now in it.
 */
export async function validateCustomSignUp(
  formData: Record<string, string>,
): Promise<Record<string, string> | undefined> {
  const call = ++latestCall;
  let name = formData.preferred_username ?? "";
  for (;;) {
    if (name === "") {
      publish({ status: "empty" }); // the input's `required` says it at submit
      return undefined;
    }
    const cached = answers.get(name);
    if (cached && Date.now() - cached.at < ANSWER_TTL_MS) {
      publish(cached.state);
      return errorOf(cached.state);
    }
    if (state.status === "empty" || state.name !== name) publish({ status: "checking", name });
    await sleep(DEBOUNCE_MS);
    if (call !== latestCall) return undefined;
    if (typed !== name) {
      name = typed;
      continue;
    }
    let next: FieldState;
    try {
      next = stateOf(name, await usernames.checkAvailability(name));
      answers.set(name, { at: Date.now(), state: next });
    } catch (error) {
      // Never block the form on advice: a failed check leaves the decision to the sign-up.
      if (!isUsernamesApiError(error)) console.error(error);
      next = { status: "unknown", name };
    }
    if (call !== latestCall) return undefined;
    if (typed !== name) {
      name = typed;
      continue;
    }
    publish(next);
    return errorOf(next);
  }
}

/** The trigger refused `name` at sign-up: the field shows why, and so does the next check. */
function refuse(name: string, code: string, message: string): void {
  const next: FieldState = { status: "unavailable", name, code, message, suggestions: [] };
  answers.set(name, { at: Date.now(), state: next });
  publish(next);
}

/**
 * `services.handleSignUp`: Amplify's `signUp`, with the user's language for the triggers'
 * sentences, password sign-in after confirmation (cognito-local has no SRP), and the trigger's
 * refusal mapped by its code: a name's refusal goes to the username field, registry trouble
 * ("try again") to the form.
 */
export async function handleSignUp(input: SignUpInput) {
  const name = input.options?.userAttributes?.preferred_username ?? "";
  try {
    return await signUp({
      ...input,
      options: {
        ...input.options,
        userAttributes: input.options?.userAttributes ?? {},
        autoSignIn: { authFlowType: "USER_PASSWORD_AUTH" },
        clientMetadata: { ...input.options?.clientMetadata, locale: languages()[0] ?? "en" },
      },
    });
  } catch (error) {
    const refusal = parseSignUpError(error);
    if (refusal === null) throw error; // the email taken, a weak password: Amplify UI says those
    if (refusal.code.startsWith("registry_")) throw new Error(refusal.message);
    refuse(name, refusal.code, refusal.message);
    // Amplify UI shows a thrown error's message in an alert above the button; the field shows
    // this one, and UsernameField hides the alert while it is a refusal the field shows.
    fieldRefusals.add(refusal.message);
    throw new Error(refusal.message);
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useUsernameField(): FieldState {
  return useSyncExternalStore(subscribe, () => state);
}

/** The field, placed in Amplify UI's sign-up form (`components.SignUp.FormFields`). */
export function UsernameField() {
  const field = useUsernameField();
  const { error } = useAuthenticator((context) => [context.error]);
  useEffect(() => {
    // A new form (another sign-up): nothing typed, nothing to say.
    typed = "";
    publish({ status: "empty" });
  }, []);
  return (
    <>
      {typeof error === "string" && fieldRefusals.has(error) && (
        // Amplify UI has no way to keep a sign-up error out of its form alert: hide it while it
        // repeats what the username field says.
        <style>{"[data-amplify-authenticator-signup] .amplify-alert { display: none; }"}</style>
      )}
      <TextField
        name="preferred_username"
        label="Username"
        placeholder="What others will see"
        autoComplete="off"
        spellCheck={false}
        isRequired
        onChange={(event) => {
          typed = event.target.value;
        }}
        hasError={field.status === "unavailable"}
        errorMessage={field.status === "unavailable" ? field.message : undefined}
        data-testid="username-input"
      />
      <Text
        fontSize="small"
        data-testid="username-status"
        data-status={field.status}
        data-name={field.status === "empty" ? "" : field.name}
        data-code={field.status === "unavailable" ? field.code : undefined}
        aria-live="polite"
      >
        {field.status === "checking" && "Checking…"}
        {field.status === "available" && `✓ “${field.name}” is available.`}
        {field.status === "unavailable" && field.suggestions.length > 0 && `Free now: ${field.suggestions.join(", ")}`}
      </Text>
    </>
  );
}
