// The dev issuer's dashboard in a real headless Chromium (Debian's `chromium`, driven by
// playwright-core): users, sessions, revocation, tokens with their countdown, organizations, and
// the template editor's diagnostics and preview. Started by tests/tests/dashboard.rs, which passes
// DASHBOARD_URL (a fresh dev issuer), CHROMIUM (the browser) and SCREENSHOT (where to write the
// sessions page's screenshot).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const base = process.env.DASHBOARD_URL;
let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
});

const rows = () => page.locator("table.sessions tbody tr");

test("a user, two sessions, one revoked: the session list changes", async () => {
  await page.goto(`${base}/users`);
  // Bad input gets the Backend API's Clerk-shaped error on the page.
  await page.fill("input[name=first_name]", "Bad");
  await page.fill("textarea[name=public_metadata]", "[1, 2]");
  await page.click("text=Create user");
  const error = page.getByTestId("error");
  await error.waitFor();
  assert.match(await error.innerText(), /422 form_param_value_invalid/);
  assert.match(await error.innerText(), /"param_name": "public_metadata"/);

  await page.fill("input[name=first_name]", "Ada");
  await page.fill("input[name=last_name]", "Lovelace");
  await page.fill("input[name=email_address]", "ada@example.com");
  await page.fill("textarea[name=public_metadata]", '{"role": "admin"}');
  await page.click("text=Create user");
  await page.waitForURL(/\/users\/user_/);
  assert.equal(await page.locator("h1").innerText(), "Ada Lovelace");

  await page.click("text=New session");
  await page.waitForLoadState();
  await page.click("text=New session");
  await page.waitForLoadState();
  assert.equal(await rows().count(), 2);
  assert.equal(await page.locator("table.sessions .status.active").count(), 2);

  await rows().first().locator("text=Revoke").click();
  await page.waitForLoadState();
  assert.equal(await page.locator("table.sessions .status.revoked").count(), 1);
  assert.equal(await page.locator("table.sessions .status.active").count(), 1);
});

test("an organization with the user as admin, made active in the session", async () => {
  await page.goto(`${base}/organizations`);
  await page.fill("input[name=name]", "Acme Corp");
  await page.click("text=Create organization");
  await page.waitForURL(/\/organizations\/org_/);
  await page.selectOption("select[name=user_id]", { index: 0 });
  await page.fill("input[name=role]", "org:admin");
  await page.fill("input[name=permissions]", "org:billing:manage, org:reports:read");
  await page.click("text=Add member");
  await page.waitForLoadState();
  assert.match(await page.locator("table").innerText(), /org:admin/);

  // Back to the user's sessions: switch the active one to Acme.
  await page.click("table a[href^='/users/']");
  const active = page.locator("table.sessions tbody tr", { has: page.locator(".status.active") });
  await active.locator("select[name=organization]").selectOption({ label: "Acme Corp" });
  await active.locator("text=Switch").click();
  await page.waitForLoadState();
  assert.match(await page.locator("table.sessions").innerText(), /Acme Corp/);
  if (process.env.SCREENSHOT) {
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  }
});

test("a minted session token: decoded, typed, counting down, verifying", async () => {
  const active = page.locator("table.sessions tbody tr", { has: page.locator(".status.active") });
  await active.locator("a[href^='/sessions/sess_']").click();
  await page.waitForURL(/\/sessions\/sess_/);
  await page.click("text=Mint token");
  const token = page.getByTestId("token");
  await token.waitFor();
  const jwt = await page.getByTestId("jwt").inputValue();
  assert.equal(jwt.split(".").length, 3);
  const claims = JSON.parse(await page.getByTestId("claims").innerText());
  assert.match(claims.sub, /^user_/);
  assert.equal(claims.o.rol, "admin");
  // Typed as SessionClaims: the organization's role and permissions resolved from `o`.
  assert.equal(await page.getByTestId("org-role").innerText(), "org:admin");
  assert.match(await page.getByTestId("org-permissions").innerText(), /org:billing:manage/);
  assert.match(await page.getByTestId("org-permissions").innerText(), /org:reports:read/);

  const seconds = async () => Number((await page.getByTestId("countdown").innerText()).split(" ")[0]);
  const first = await seconds();
  assert.ok(first > 50 && first <= 60, `a 60 s token starts near 60 s, not ${first}`);
  await page.waitForTimeout(2200);
  const later = await seconds();
  assert.ok(later < first, `the countdown runs: ${first} then ${later}`);
  // The page re-checks the token against the issuer.
  await page.waitForFunction(() => document.querySelector("[data-testid=verdict]").textContent === "verifies");

  // Revoked here, the session gets no new token; its page says so.
  await page.click("text=Revoke");
  await page.waitForLoadState();
  assert.equal(await page.getByTestId("status").innerText(), "revoked");
  assert.equal(await page.locator("text=Mint token").count(), 0);
});

test("a template edited into an error shows the diagnostic; fixed, it previews", async () => {
  await page.goto(`${base}/templates`);
  await page.fill(
    "[data-testid=template-text]",
    JSON.stringify({ name: "api", claims: { email: "{{user.primary_email_address}}" } }, null, 2),
  );
  await page.click("button[value=save]");
  await page.waitForURL(/\/templates\/jtmp_/);

  await page.fill(
    "[data-testid=template-text]",
    '{\n  "name": "api",\n  "claims": {\n    "email": "{{user.primary_emial_address}}"\n  }\n}',
  );
  await page.click("button[value=preview]");
  await page.waitForLoadState();
  const diagnostics = page.getByTestId("diagnostics");
  await diagnostics.waitFor();
  const text = await diagnostics.innerText();
  assert.match(text, /line 4, column/);
  assert.match(text, /error\[unknown-shortcode\]/);
  assert.match(text, /primary_email_address/, "the help names the shortcode meant");

  await page.fill(
    "[data-testid=template-text]",
    '{\n  "name": "api",\n  "claims": {\n    "email": "{{user.primary_email_address}}",\n    "role": "{{user.public_metadata.role}}"\n  }\n}',
  );
  await page.selectOption("select[name=user_id]", { label: "Ada Lovelace" });
  await page.click("button[value=preview]");
  await page.waitForLoadState();
  await page.getByTestId("diagnostics-clean").waitFor();
  const preview = JSON.parse(await page.getByTestId("preview").innerText());
  assert.deepEqual(preview, { email: "ada@example.com", role: "admin" });
  await page.click("button[value=save]");
  await page.waitForURL(/\/templates\/jtmp_/);
  assert.match(await page.getByTestId("template-text").inputValue(), /public_metadata\.role/);
});
