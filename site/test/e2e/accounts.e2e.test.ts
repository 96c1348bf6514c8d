// The walk a new user takes through the accounts pages, in real Chromium against a started site,
// with axe-core on every page it reaches (issue 9: no violation above minor).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, newCheckedContext, screenshots, type CheckedContext } from '../../../test/support/browser.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { axeViolations } from './axe.ts';
import { follow, pathOf, submit } from './page-steps.ts';

const timeoutMs = 10_000;
const shots = screenshots();

let site: RunningSite | undefined;
let browser: Browser | null = null;

before(async () => {
  browser = await launchChromium();
  if (browser !== null) site = await startSite();
});

after(async () => {
  await browser?.close();
  await site?.stop();
});

function running(): { site: RunningSite; browser: Browser } {
  assert.ok(site !== undefined && browser !== null);
  return { site, browser };
}

function newContext(options: { locale?: string } = {}): Promise<CheckedContext> {
  return newCheckedContext(running().browser, timeoutMs, options);
}

/** Asserts the page is the login form, asked for with `next` (however it is percent-encoded). */
function assertLoginWithNext(page: Page, next: string): void {
  const url = new URL(page.url());
  assert.equal(url.pathname, '/accounts/login');
  assert.deepEqual(url.searchParams.getAll('next'), [next]);
}

async function goto(page: Page, path: string): Promise<void> {
  await page.goto(running().site.url + path, { waitUntil: 'load' });
}

/** axe on the page as it is now, at Playwright's default 1280 × 720: nothing above minor. */
async function assertAccessible(page: Page, where: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe: ${where} at 1280 px`);
}

async function assertLoggedInAs(page: Page, username: string): Promise<void> {
  const shown = page.locator('.site-header .username');
  await shown.waitFor({ state: 'visible' });
  assert.equal(await shown.textContent(), username);
  assert.equal((await page.locator('.site-header .whoami').textContent())?.replace(/\s+/g, ' ').trim(), `Signed in as ${username}`);
  assert.equal(await page.getByRole('button', { name: 'Log out', exact: true }).count(), 1);
}

async function assertAnonymous(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Log in', exact: true }).waitFor({ state: 'visible' });
  assert.equal(await page.locator('.site-header .username').count(), 0);
}

async function logIn(page: Page, username: string, password: string, options: { rememberUsername?: boolean } = {}): Promise<number> {
  const usernameField = page.getByLabel('Username', { exact: true });
  if ((await usernameField.inputValue()) !== username) await usernameField.fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  if (options.rememberUsername !== undefined) await page.getByLabel('Remember my username').setChecked(options.rememberUsername);
  return submit(page, page.getByRole('button', { name: 'Log in', exact: true }));
}

async function logOut(page: Page): Promise<void> {
  assert.equal(await submit(page, page.getByRole('button', { name: 'Log out', exact: true })), 303);
  assert.equal(pathOf(page.url()), '/');
  await assertAnonymous(page);
}

test('a new user signs up, logs in twice over, changes the password, revokes a session and deletes the account', { timeout: 60_000 }, async (t) => {
  if (browser === null) return skipOrFail(t, 'Chromium not installed');
  const username = 'mina.park';
  const email = 'mina@example.com';
  const password = 'quiet-Lantern-orchard-1987';
  const newPassword = 'velvet-Tractor-umbrella-2044';
  const first = await newContext();
  const page = first.page;

  // Home, anonymous, then to the signup form.
  await goto(page, '/');
  await assertAnonymous(page);
  await assertAccessible(page, 'home, anonymous');
  await follow(page, page.getByRole('link', { name: 'Sign up', exact: true }), '/accounts/signup');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign up');
  await shots.take(page, 'signup');
  await assertAccessible(page, 'signup');

  // Sign up: logged in at once, back on the home page.
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Email address (optional)').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password confirmation').fill(password);
  assert.equal(await submit(page, page.getByRole('button', { name: 'Create account' })), 303);
  assert.equal(pathOf(page.url()), '/');
  await assertLoggedInAs(page, username);
  assert.equal(await page.getByText(`Hello, ${username}.`).count(), 1);
  await shots.take(page, 'home-logged-in');
  await assertAccessible(page, 'home, logged in');

  // Log out with the header's button, then log in remembering the username, for 14 days.
  await logOut(page);
  await follow(page, page.getByRole('link', { name: 'Log in', exact: true }), '/accounts/login');
  assert.equal(await page.getByLabel('Username', { exact: true }).inputValue(), '');
  await shots.take(page, 'login');
  await assertAccessible(page, 'login');
  await page.getByLabel('Keep me logged in for 14 days').check();
  assert.equal(await logIn(page, username, password, { rememberUsername: true }), 303);
  assert.equal(pathOf(page.url()), '/');
  await assertLoggedInAs(page, username);
  const cookies = await first.context.cookies();
  const sessionCookie = cookies.find((c) => c.name === 'sessionid');
  assert.ok(sessionCookie, 'a sessionid cookie after login');
  assert.ok(sessionCookie.expires * 1000 > Date.now() + 13 * 24 * 3600 * 1000, 'kept for 14 days');
  assert.equal(sessionCookie.httpOnly, true);
  assert.equal(cookies.find((c) => c.name === 'remembered_username')?.value, username);

  // Log out: the login form remembers the username; log in again with it.
  await logOut(page);
  await follow(page, page.getByRole('link', { name: 'Log in', exact: true }), '/accounts/login');
  assert.equal(await page.getByLabel('Username', { exact: true }).inputValue(), username);
  assert.equal(await page.getByLabel('Remember my username').isChecked(), true);
  assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
  await shots.take(page, 'login-prefilled');
  await assertAccessible(page, 'login, username remembered');
  assert.equal(await logIn(page, username, password), 303);
  await assertLoggedInAs(page, username);

  // A second browser logs in as the same user.
  const second = await newContext();
  await goto(second.page, '/accounts/login');
  assert.equal(await logIn(second.page, username, password), 303);
  await assertLoggedInAs(second.page, username);

  // The first changes the password: it stays logged in, the second is logged out.
  await follow(page, page.getByRole('link', { name: 'Password', exact: true }), '/accounts/password');
  await shots.take(page, 'password-change');
  await assertAccessible(page, 'password change');
  await page.getByLabel('Old password').fill(password);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('New password confirmation').fill(newPassword);
  assert.equal(await submit(page, page.getByRole('button', { name: 'Change my password' })), 303);
  assert.equal(pathOf(page.url()), '/accounts/update');
  await assertLoggedInAs(page, username);
  await page.getByRole('status').filter({ hasText: 'Your password was changed.' }).waitFor();
  await assertAccessible(page, 'profile, password changed');

  await goto(second.page, '/accounts/sessions');
  assertLoginWithNext(second.page, '/accounts/sessions');
  await assertAnonymous(second.page);
  await assertAccessible(second.page, 'login, logged out by the password change');

  // The second logs in again, with the new password, and lands where it was going.
  assert.equal(await logIn(second.page, username, newPassword), 303);
  assert.equal(pathOf(second.page.url()), '/accounts/sessions');
  await assertLoggedInAs(second.page, username);

  // The first sees both sessions, this one marked, and revokes the other.
  await follow(page, page.getByRole('link', { name: 'Sessions', exact: true }), '/accounts/sessions');
  const rows = page.locator('table.sessions tbody tr');
  assert.equal(await rows.count(), 2);
  const current = page.locator('table.sessions tbody tr[aria-current="true"]');
  assert.equal(await current.count(), 1);
  assert.match((await current.textContent()) ?? '', /This session/);
  const other = page.locator('table.sessions tbody tr:not([aria-current])');
  assert.equal(await other.count(), 1);
  assert.doesNotMatch((await other.textContent()) ?? '', /This session/);
  await shots.take(page, 'sessions');
  await assertAccessible(page, 'sessions');
  assert.equal(await submit(page, other.getByRole('button', { name: 'Revoke', exact: true })), 303);
  assert.equal(pathOf(page.url()), '/accounts/sessions');
  await page.getByRole('status').filter({ hasText: 'The session was revoked.' }).waitFor();
  await assertAccessible(page, 'sessions, one revoked');
  assert.equal(await rows.count(), 1);
  assert.equal(await current.count(), 1);
  await assertLoggedInAs(page, username);

  await second.page.reload({ waitUntil: 'load' });
  assertLoginWithNext(second.page, '/accounts/sessions');
  await assertAnonymous(second.page);

  // Delete the account from the profile page, through the confirmation page.
  await follow(page, page.getByRole('link', { name: 'Profile', exact: true }), '/accounts/update');
  assert.equal(await page.getByLabel('Email address', { exact: true }).inputValue(), email);
  await assertAccessible(page, 'profile');
  await follow(page, page.getByRole('link', { name: 'Delete my account…' }), '/accounts/delete/confirm');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Delete account');
  await assertAccessible(page, 'delete account');
  // The account's own password confirms it: a wrong one deletes nothing.
  await page.getByLabel('Password', { exact: true }).fill('not my password');
  assert.equal(await submit(page, page.getByRole('button', { name: 'Delete my account for good' })), 422);
  await assertAccessible(page, 'delete account, wrong password');
  await page.getByLabel('Password', { exact: true }).fill(newPassword);
  await shots.take(page, 'delete-confirm');
  assert.equal(await submit(page, page.getByRole('button', { name: 'Delete my account for good' })), 303);
  assert.equal(pathOf(page.url()), '/');
  await assertAnonymous(page);
  assert.equal((await first.context.cookies()).some((c) => c.name === 'sessionid'), false);
  await shots.take(page, 'home-after-delete');
  await assertAccessible(page, 'home, account deleted');

  // The credentials the account last had no longer log anyone in: the generic message.
  await follow(page, page.getByRole('link', { name: 'Log in', exact: true }), '/accounts/login');
  assert.equal(await logIn(page, username, newPassword), 422);
  assert.equal(pathOf(page.url()), '/accounts/login');
  const alert = page.locator('#form-errors[role="alert"]');
  await alert.waitFor({ state: 'visible' });
  assert.equal(
    (await alert.textContent())?.trim(),
    'Please enter a correct username and password. Note that both fields may be case-sensitive.',
  );
  assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
  await assertAnonymous(page);
  await shots.take(page, 'login-failed-after-delete');
  await assertAccessible(page, 'login, refused');

  assert.deepEqual([...first.problems, ...second.problems], []);
  await first.context.close();
  await second.context.close();
});

test('in Korean, the signup page says so, and a too-short password is refused in Korean, linked to its field', { timeout: 30_000 }, async (t) => {
  if (browser === null) return skipOrFail(t, 'Chromium not installed');
  const { context, page, problems } = await newContext({ locale: 'ko-KR' });

  await goto(page, '/accounts/signup');
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '회원가입');
  await assertAccessible(page, 'signup (ko)');

  await page.getByLabel('사용자 이름', { exact: true }).fill('jiwoo');
  await page.getByLabel('비밀번호', { exact: true }).fill('k9#Tq');
  await page.getByLabel('비밀번호 확인', { exact: true }).fill('k9#Tq');
  assert.equal(await submit(page, page.getByRole('button', { name: '계정 만들기' })), 422);
  assert.equal(pathOf(page.url()), '/accounts/signup');
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');

  const message = '비밀번호가 너무 짧습니다. 최소 8자 이상이어야 합니다.';
  const errorList = page.locator('ul.errorlist').filter({ hasText: message });
  await errorList.waitFor({ state: 'visible' });
  const errorId = await errorList.getAttribute('id');
  assert.ok(errorId, 'the error list has an id');
  // A validator's error sits under the password field that states the rules, not the confirmation.
  const passwordField = page.getByLabel('비밀번호', { exact: true });
  assert.equal(errorId, 'id_password1_error');
  assert.equal(await passwordField.getAttribute('aria-invalid'), 'true');
  assert.ok(((await passwordField.getAttribute('aria-describedby')) ?? '').split(/\s+/).includes(errorId), 'aria-describedby names the error list');
  const confirmation = page.getByLabel('비밀번호 확인', { exact: true });
  assert.equal(await confirmation.getAttribute('aria-invalid'), null);
  // The one input the error list describes is that field.
  assert.equal(await page.locator(`input[aria-describedby~="${errorId}"]`).count(), 1);
  assert.equal((await page.locator('#form-errors[role="alert"]').textContent())?.trim(), '아래 오류를 고쳐 주세요.');

  // The values typed come back, never a password.
  assert.equal(await page.getByLabel('사용자 이름', { exact: true }).inputValue(), 'jiwoo');
  assert.equal(await page.getByLabel('비밀번호', { exact: true }).inputValue(), '');
  assert.equal(await confirmation.inputValue(), '');
  await shots.take(page, 'signup-ko-error');
  await assertAccessible(page, 'signup, password too short (ko)');

  assert.deepEqual(problems, []);
  await context.close();
});
