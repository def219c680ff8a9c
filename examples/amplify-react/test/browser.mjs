// The example app in a real browser (Debian's Chromium, driven by playwright-core) against
// `usernames dev`: sign-up with a free name, a look-alike refused as it is typed, a taken name
// refused at submit, confirmation, the token's name, rename, the cooldown, release; then a restart
// of `usernames dev` on the same folder keeps every name. A screenshot of each step goes to
// $BROWSER_TEST_OUT (default: the repository's target/browser/), named by step.
//
// Every server runs on a free port in its own process group, and is stopped however the test
// ends. Run it with scripts/test-browser (which builds nothing: USERNAMES_BIN must have `dev`).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const app = resolve(here, "..");
const repo = resolve(app, "../..");
const bin = process.env.USERNAMES_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, "target"), "debug", "usernames");
const out = resolve(process.env.BROWSER_TEST_OUT ?? join(repo, "target", "browser"));
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
// cognito-local's confirmation code under `usernames dev` (CODE), the same for every sign-up.
const CODE = process.env.USERNAMES_DEV_CODE ?? "123456";
const PASSWORD = "Corr3ct-Horse-Battery";
const LOAD_MS = 120_000; // the first page load compiles Amplify on a busy machine

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line) => console.log(`[${elapsed()}] ${line}`);

// --- processes --------------------------------------------------------------------------------

const running = new Set();

/** A process in its own group (so its children stop with it), its output kept for failures. */
function start(name, command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.output = "";
  const keep = (chunk) => {
    child.output = (child.output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.label = name;
  child.exited = once(child, "exit");
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }, 10_000);
  await child.exited;
  clearTimeout(timer);
}

async function stopAll() {
  await Promise.all([...running].map(stop));
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(1);
  });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) {
      throw new Error(`${child.label} exited (${child.exitCode}) while waiting for ${what}:\n${child.output}`);
    }
    try {
      const value = await check();
      if (value) return value;
    } catch {}
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}` + (child ? `:\n${child.output}` : ""));
    }
    await sleep(200);
  }
}

const listening = (port) =>
  new Promise((ok) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.end();
      ok(true);
    });
    socket.on("error", () => ok(false));
  });

// --- the backend: `usernames dev` --------------------------------------------------------------

/** Starts `usernames dev --dir dir` on free ports, or on the ports of `previous` outputs (a
 * restart, as a developer restarts it: the same addresses, so amplify_outputs.json stays as it
 * was and the app's dev server has nothing to reload); resolves once it says it is ready, with
 * its amplify_outputs.json, after checking that its Cognito and its API answer. */
async function startDev(dir, previous) {
  const outputsPath = join(dir, "amplify_outputs.json");
  const port = (address) => (previous ? new URL(address).port : "0");
  const ports = [
    "--api-port", port(previous?.custom.usernamesApi.url),
    "--cognito-port", port(previous?.custom.userPoolEndpoint),
  ];
  const dev = start("usernames dev", bin, ["dev", "--dir", dir, ...ports, "--code", CODE], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  // Without USERNAMES_COGNITO_LOCAL, the first run on a machine installs cognito-local: minutes.
  await until("usernames dev to say it is ready", () => dev.output.includes("usernames dev: ready"), 300_000, dev);
  const outputs = JSON.parse(readFileSync(outputsPath, "utf8"));
  const api = await fetch(new URL("/v1/openapi.json", outputs.custom.usernamesApi.url));
  assert.equal(api.status, 200, "the API answers");
  await cognito(outputs, "DescribeUserPoolClient", {
    UserPoolId: outputs.auth.user_pool_id,
    ClientId: outputs.auth.user_pool_client_id,
  });
  return { dev, outputs, outputsPath };
}

/** One call of the Cognito API (cognito-local), as another app on another device would. */
async function cognito(outputs, target, body) {
  const reply = await fetch(outputs.custom.userPoolEndpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify(body),
  });
  const json = await reply.json();
  if (!reply.ok) throw new Error(`${target}: ${reply.status} ${JSON.stringify(json)}`);
  return json;
}

// --- the app and the browser ----------------------------------------------------------------

async function startApp(outputsPath) {
  const port = await freePort();
  const vite = start("vite", join(app, "node_modules", ".bin", "vite"), ["--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: app,
    env: { ...process.env, AMPLIFY_OUTPUTS: outputsPath, BROWSER: "none" },
  });
  await until("vite to listen", () => listening(port), 60_000, vite);
  return { vite, url: `http://127.0.0.1:${port}/` };
}

let shot = 0;
async function screenshot(page, step) {
  shot += 1;
  const file = join(out, `${String(shot).padStart(2, "0")}-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`step ${step}: ${file}`);
}

/**
 * Opens the app and waits for the sign-in form. A restart of `usernames dev` rewrites
 * amplify_outputs.json (new ports), and Vite then reloads the page, whenever its watcher sees
 * it: so the page counts as loaded once no reload came for 2 s.
 */
async function load(page, url) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await page.goto(url, { timeout: LOAD_MS });
      await tab(page, "Sign In").waitFor({ timeout: LOAD_MS });
      const reloaded = await page.waitForEvent("framenavigated", { timeout: 2000 }).then(
        () => true,
        () => false,
      );
      if (!reloaded) return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
    if (attempt >= 3) throw new Error("the page kept reloading");
  }
}

const tab = (page, name) => page.getByRole("tab", { name });

async function openSignUp(page) {
  await tab(page, "Create Account").click();
  await page.getByRole("button", { name: "Create Account" }).waitFor();
}

async function fillSignUp(page, email, name) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm Password").fill(PASSWORD);
  await typeName(page, name);
}

/** Types a name key by key, as a user does (the check is debounced), and waits for its answer. */
async function typeName(page, name) {
  const input = page.getByTestId("username-input");
  await input.fill("");
  await input.pressSequentially(name, { delay: 40 });
  return nameStatus(page, name);
}

async function nameStatus(page, name) {
  const status = page.getByTestId("username-status");
  await page.waitForFunction(
    (expected) => {
      const node = document.querySelector('[data-testid="username-status"]');
      const state = node?.getAttribute("data-status");
      return node?.getAttribute("data-name") === expected && (state === "available" || state === "unavailable");
    },
    name,
    { timeout: 30_000 },
  );
  return { status: await status.getAttribute("data-status"), code: await status.getAttribute("data-code") };
}

async function fieldError(page) {
  // Amplify UI's TextField error, the sentence under the username field.
  const id = await page.getByTestId("username-input").getAttribute("aria-describedby");
  assert.ok(id, "the username input names no error message (aria-describedby)");
  const error = page.locator(`[id="${id.split(" ")[0]}"]`);
  await error.waitFor({ timeout: 30_000 });
  return (await error.textContent()).trim();
}

async function signIn(page, email) {
  await tab(page, "Sign In").click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  return tokenName(page);
}

async function tokenName(page) {
  const name = page.getByTestId("token-name");
  // `usernames dev` marks the email verified at sign-up, as Cognito does at confirmation, so
  // Amplify UI goes straight to the app; its "verify your email" screen would be a regression.
  const verify = page.getByRole("button", { name: "Skip" });
  await name.or(verify).first().waitFor({ timeout: 60_000 });
  if (await verify.isVisible()) {
    await screenshot(page, "unexpected-verify-email");
    throw new Error("Amplify UI asked to verify the email: usernames dev should have marked it verified");
  }
  await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid="token-name"]')?.textContent;
    return text !== undefined && text !== "…";
  }, undefined, { timeout: 60_000 });
  return (await name.textContent()).trim();
}

async function signOut(page) {
  await page.getByTestId("sign-out").click();
  await tab(page, "Sign In").waitFor();
}

/** Rename or release from the account page; cognito-local cannot refresh tokens, so the app
 * asks the user to sign in again: do so and return the name in the new token. */
async function afterStaleSession(page, email, expectedNotice) {
  const notice = page.getByTestId("notice");
  await notice.waitFor({ timeout: 30_000 });
  const text = (await notice.textContent()).trim();
  assert.ok(text.includes(expectedNotice), `notice: ${text}`);
  await tab(page, "Sign In").waitFor();
  return text;
}

// --- the story --------------------------------------------------------------------------------

async function main() {
  assert.ok(existsSync(bin), `${bin} is missing: build it with \`cargo build -p usernames\``);
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install chromium (scripts/setup-test-tools does)`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "usernames-browser-"));
  const devDir = join(scratch, "dev");
  let browser;
  try {
    log(`usernames dev --dir ${devDir}`);
    let { dev, outputs, outputsPath } = await startDev(devDir);
    log(`backend up: API ${outputs.custom.usernamesApi.url}, Cognito ${outputs.custom.userPoolEndpoint}`);
    const { url } = await startApp(outputsPath);
    log(`app at ${url}`);

    browser = await chromium.launchPersistentContext(join(scratch, "chromium-profile"), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 900, height: 1000 },
      locale: "en-US",
    });
    browser.setDefaultTimeout(30_000);
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.on("pageerror", (error) => log(`page error: ${error.message}`));
    page.on("console", (m) => {
      // Answers the app expects (400, 429, and cognito-local's 500 to a token refresh) are
      // logged by the browser as failed loads; anything else is worth seeing.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) log(`browser console: ${m.text()}`);
    });
    await load(page, url);

    // Alice signs up with a free name, confirms with the fixed code, and is signed in.
    await openSignUp(page);
    await fillSignUp(page, "alice@example.com", "alice");
    assert.deepEqual(await nameStatus(page, "alice"), { status: "available", code: null });
    await screenshot(page, "signup-free-name");
    await page.getByRole("button", { name: "Create Account" }).click();
    await page.getByLabel("Confirmation Code").fill(CODE);
    await screenshot(page, "confirm-with-code");
    await page.getByRole("button", { name: "Confirm" }).click();
    assert.equal(await tokenName(page), "alice");
    await screenshot(page, "signed-in-token-name");

    // Her rename: the API renames, the app cannot refresh the tokens against cognito-local and
    // asks her to sign in again; then the token has the new name.
    await page.getByTestId("rename-input").fill("alice_w");
    await page.getByTestId("rename-submit").click();
    await afterStaleSession(page, "alice@example.com", "Your username is now “alice_w”.");
    await screenshot(page, "renamed-sign-in-again");
    assert.equal(await signIn(page, "alice@example.com"), "alice_w");
    await screenshot(page, "renamed-token-name");

    // A second rename within the cooldown: refused, and the page says when from Retry-After.
    await page.getByTestId("rename-input").fill("alice_x");
    await page.getByTestId("rename-submit").click();
    const cooldown = page.getByTestId("cooldown");
    await cooldown.waitFor();
    const until = Date.parse(await cooldown.getAttribute("data-until"));
    assert.ok(until > Date.now() + 23 * 3600_000, `cooldown until ${new Date(until).toISOString()}`);
    assert.ok(await page.getByTestId("rename-submit").isDisabled());
    await screenshot(page, "rename-cooldown");
    assert.equal(await tokenName(page), "alice_w");
    await signOut(page);

    // Bob tries a look-alike of Alice's old name (Cyrillic а), now in her quarantine: refused
    // as he types, with the API's sentence.
    await openSignUp(page);
    await fillSignUp(page, "bob@example.com", "\u0430lice");
    const lookalike = await nameStatus(page, "\u0430lice");
    assert.equal(lookalike.status, "unavailable");
    const lookalikeText = await fieldError(page);
    assert.ok(lookalikeText.length > 10, lookalikeText);
    log(`look-alike refused inline: ${lookalike.code}: ${lookalikeText}`);
    await screenshot(page, "lookalike-refused-inline");

    // Then "carol", free as he types it; someone else signs up as carol before he submits: the
    // pre-sign-up trigger refuses, and its code puts the sentence on the field.
    assert.deepEqual(await typeName(page, "carol"), { status: "available", code: null });
    await cognito(outputs, "SignUp", {
      ClientId: outputs.auth.user_pool_client_id,
      Username: "carol@example.com",
      Password: PASSWORD,
      UserAttributes: [
        { Name: "email", Value: "carol@example.com" },
        { Name: "preferred_username", Value: "carol" },
      ],
    });
    await page.getByRole("button", { name: "Create Account" }).click();
    await page.waitForSelector('[data-testid="username-status"][data-code="name_taken"]', { state: "attached" });
    assert.equal(await fieldError(page), "That username is already taken.");
    assert.equal(await page.locator(".amplify-alert:visible").count(), 0, "the refusal is shown once, on the field");
    await screenshot(page, "taken-at-submit");

    // Bob takes "bob", then gives it up.
    assert.deepEqual(await typeName(page, "bob"), { status: "available", code: null });
    await page.getByRole("button", { name: "Create Account" }).click();
    await page.getByLabel("Confirmation Code").fill(CODE);
    await page.getByRole("button", { name: "Confirm" }).click();
    assert.equal(await tokenName(page), "bob");
    await page.getByTestId("release").click();
    await afterStaleSession(page, "bob@example.com", "You gave up “bob”.");
    await screenshot(page, "released-sign-in-again");
    assert.equal(await signIn(page, "bob@example.com"), "(none)");
    await screenshot(page, "released-no-name");
    await signOut(page);

    // Restart the backend on the same folder: users and names are kept.
    log("restarting usernames dev");
    await stop(dev);
    const before = readFileSync(outputsPath, "utf8");
    ({ dev, outputs, outputsPath } = await startDev(devDir, outputs));
    assert.equal(readFileSync(outputsPath, "utf8"), before, "a restart on the same ports keeps the outputs");
    log(`backend up again: API ${outputs.custom.usernamesApi.url}`);
    await load(page, url);
    assert.equal(await signIn(page, "alice@example.com"), "alice_w");
    await screenshot(page, "after-restart-name-kept");
    await signOut(page);

    // A copycat after the restart: Alice's name in another case, and Bob's given-up name, are
    // refused as typed.
    await openSignUp(page);
    await fillSignUp(page, "mallory@example.com", "ALICE_W");
    assert.deepEqual(await nameStatus(page, "ALICE_W"), { status: "unavailable", code: "name_taken" });
    await screenshot(page, "after-restart-copycat-refused");
    assert.deepEqual(await typeName(page, "bob"), { status: "unavailable", code: "name_taken" });
    await screenshot(page, "after-restart-released-name-held");
    log(`passed in ${elapsed()}; screenshots in ${out}`);
  } catch (error) {
    if (browser) {
      for (const page of browser.pages()) {
        await page.screenshot({ path: join(out, "failure.png"), fullPage: true }).catch(() => {});
      }
    }
    for (const child of running) console.error(`--- ${child.label} output:\n${child.output}`);
    throw error;
  } finally {
    await browser?.close().catch(() => {});
    await stopAll();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
