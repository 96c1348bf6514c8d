// "Forgot my password", walked in real Chromium as a new user would, against a started site that
// mails through a real SMTP server: in English at 1280 px and in Korean on a 390 px phone, with a
// screenshot of each step at both widths (test-artifacts/e2e/password-reset-*.png), axe-core on each
// step at both widths (issue 9: no violation above minor), and at each step what axe does not check:
// no sideways scrolling, buttons inside the window, one h1, no empty table header, no id twice, no
// aria-describedby naming a missing id.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, newCheckedContext, screenshotDirectory, screenshots } from '../../../test/support/browser.ts';
import { linkIn, startMailServer, type MailServer } from '../../../test/support/mail-server.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { axeViolations } from './axe.ts';
import { fitsWidth, follow, markupProblems, pathOf, submit } from './page-steps.ts';

const timeoutMs = 10_000;
const shots = screenshots(screenshotDirectory, 'password-reset-');
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

let mail: MailServer | undefined;
let site: RunningSite | undefined;
let browser: Browser | null = null;

before(async () => {
  browser = await launchChromium();
  if (browser === null) return;
  mail = await startMailServer();
  site = await startSite({ env: { EMAIL_URL: mail.url, DEFAULT_FROM_EMAIL: 'accounts@tessera.test' } });
});

after(async () => {
  await browser?.close();
  await site?.stop();
  await mail?.close();
});

function running(): { site: RunningSite; browser: Browser; mail: MailServer } {
  assert.ok(site !== undefined && browser !== null && mail !== undefined);
  return { site, browser, mail };
}

/** Goes to a path on the site, or to a whole URL (a mail's link); resolves to the last response's status. */
async function goto(page: Page, pathOrUrl: string): Promise<number> {
  const response = await page.goto(pathOrUrl.startsWith('http') ? pathOrUrl : running().site.url + pathOrUrl, { waitUntil: 'load' });
  assert.ok(response, `a response for ${pathOrUrl}`);
  return response.status();
}

/** The page's text, whitespace collapsed, of the first element `selector` finds. */
async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** What each page says, in each language; the walk asserts it as the visitor reads it. */
const words = {
  en: {
    signUp: 'Sign up', logIn: 'Log in', logOut: 'Log out', signedInAs: (name: string) => `Signed in as ${name}`,
    username: 'Username', emailOptional: 'Email address (optional)', password: 'Password', confirmation: 'Password confirmation', create: 'Create account',
    forgot: 'Forgot your password?',
    requestTitle: 'Reset your password',
    requestIntro: 'Enter the email address of your account, and we will send it a link to choose a new password.',
    email: 'Email address', send: 'Send me the link',
    doneTitle: 'Check your email',
    doneText: 'If an account has that address, we have sent it a link to choose a new password. It can take a few minutes to arrive; look in the spam folder too.',
    subject: /Reset your password/,
    setTitle: 'Choose a new password', newPassword: 'New password', newConfirmation: 'New password confirmation', setSubmit: 'Set my password',
    completeTitle: 'Your password is set', completeText: 'Your new password is set, and every session of your account was logged out.',
    invalidTitle: 'This link does not work',
    invalidText: 'The password reset link is invalid: it may have been used already, or it may have expired.',
    askAgain: 'Ask for a new link',
  },
  ko: {
    signUp: '회원가입', logIn: '로그인', logOut: '로그아웃', signedInAs: (name: string) => `${name} 님으로 로그인됨`,
    username: '사용자 이름', emailOptional: '이메일 주소 (선택)', password: '비밀번호', confirmation: '비밀번호 확인', create: '계정 만들기',
    forgot: '비밀번호를 잊으셨나요?',
    requestTitle: '비밀번호 재설정',
    requestIntro: '계정의 이메일 주소를 입력하면 새 비밀번호를 정할 수 있는 링크를 보내 드립니다.',
    email: '이메일 주소', send: '링크 보내기',
    doneTitle: '이메일을 확인하세요',
    doneText: '그 주소로 등록된 계정이 있다면 새 비밀번호를 정할 링크를 보냈습니다. 도착하기까지 몇 분 걸릴 수 있으니 스팸 편지함도 확인하세요.',
    subject: /비밀번호 재설정/,
    setTitle: '새 비밀번호 정하기', newPassword: '새 비밀번호', newConfirmation: '새 비밀번호 확인', setSubmit: '비밀번호 설정',
    completeTitle: '비밀번호가 설정되었습니다', completeText: '새 비밀번호가 설정되었고, 계정의 모든 세션에서 로그아웃되었습니다.',
    invalidTitle: '이 링크는 사용할 수 없습니다',
    invalidText: '비밀번호 재설정 링크가 올바르지 않습니다. 이미 사용했거나 만료되었을 수 있습니다.',
    askAgain: '새 링크 요청하기',
  },
} as const;

const walks = [
  { lang: 'en', viewport: desktop, username: 'sora.choi', email: 'sora.choi@example.test', password: 'gentle-Canyon-ribbon-6418', newPassword: 'copper-Meadow-violin-3092' },
  { lang: 'ko', viewport: phone, username: 'dahye.yoon', email: 'dahye.yoon@example.test', password: 'narrow-Pepper-island-2751', newPassword: 'hollow-Signal-marble-8603' },
] as const;

for (const walk of walks) {
  const w = words[walk.lang];
  const where = `${walk.lang === 'en' ? 'English' : 'Korean'} at ${walk.viewport.width} px`;
  test(`${where}: a user who forgot the password gets a mail, sets a new one through its link, logs in with it, and the link dies`, { timeout: 90_000 }, async (t) => {
    if (browser === null) return skipOrFail(t, 'Chromium not installed');
    const checked = await newCheckedContext(running().browser, timeoutMs, { locale: 'en-US', viewport: walk.viewport });
    const { page } = checked;
    // tsx keeps function names with a helper, __name, that the functions given to page.evaluate call.
    await checked.context.addInitScript('globalThis.__name = (target) => target;');
    const main = page.locator('main');
    const header = page.locator('.site-header');
    const heading = () => textOf(page, 'main h1');

    /** This step at 1280 and at 390 px: checked at each, with a screenshot unless told; back to the walk's width. */
    async function step(name: string, options: { screenshot?: boolean } = {}): Promise<void> {
      assert.deepEqual(await markupProblems(page), [], `${name} (${walk.lang})`);
      for (const [label, size] of [['1280', desktop], ['390', phone]] as const) {
        await page.setViewportSize(size);
        if (options.screenshot ?? true) await shots.take(page, `${name}-${walk.lang}-${label}`);
        assert.deepEqual(await axeViolations(page), [], `axe: ${name} (${walk.lang}) at ${label} px`);
        assert.deepEqual(await fitsWidth(page), [], `${name} (${walk.lang}) at ${label} px`);
      }
      await page.setViewportSize(walk.viewport);
    }

    async function assertLoggedInAs(username: string): Promise<void> {
      const shown = header.locator('.username');
      await shown.waitFor({ state: 'visible' });
      assert.equal(await shown.textContent(), username);
      assert.equal(await textOf(page, '.site-header .whoami'), w.signedInAs(username));
    }

    async function assertAnonymous(): Promise<void> {
      await header.getByRole('link', { name: w.logIn, exact: true }).waitFor({ state: 'visible' });
      assert.equal(await header.locator('.username').count(), 0);
    }

    // Home, in the browser's English; the Korean visitor picks 한국어 with the header's language switch.
    await goto(page, '/');
    if (walk.lang === 'ko') {
      await header.getByLabel('Language').selectOption('ko');
      assert.equal(await submit(page, header.getByRole('button', { name: 'Change', exact: true })), 303);
      assert.equal(pathOf(page.url()), '/');
    }
    assert.equal(await page.locator('html').getAttribute('lang'), walk.lang);
    await step('home', { screenshot: false });

    // Sign up with an email address: logged in at once, on the home page.
    await follow(page, header.getByRole('link', { name: w.signUp, exact: true }), '/accounts/signup');
    await main.getByLabel(w.username, { exact: true }).fill(walk.username);
    await main.getByLabel(w.emailOptional, { exact: true }).fill(walk.email);
    await main.getByLabel(w.password, { exact: true }).fill(walk.password);
    await main.getByLabel(w.confirmation, { exact: true }).fill(walk.password);
    await step('signup');
    assert.equal(await submit(page, main.getByRole('button', { name: w.create, exact: true })), 303);
    assert.equal(pathOf(page.url()), '/');
    await assertLoggedInAs(walk.username);
    await step('signed-up', { screenshot: false });

    // Log out with the header's button, and go to the login page.
    assert.equal(await submit(page, header.getByRole('button', { name: w.logOut, exact: true })), 303);
    assert.equal(pathOf(page.url()), '/');
    await assertAnonymous();
    await step('logged-out', { screenshot: false });
    await follow(page, header.getByRole('link', { name: w.logIn, exact: true }), '/accounts/login');
    await step('login');

    // "Forgot your password?": the form that asks for the address.
    await follow(page, main.getByRole('link', { name: w.forgot, exact: true }), '/accounts/password-reset');
    assert.equal(await heading(), w.requestTitle);
    assert.equal(await textOf(page, 'main .intro'), w.requestIntro);
    await main.getByLabel(w.email, { exact: true }).fill(walk.email);
    await step('request');
    assert.equal(await submit(page, main.getByRole('button', { name: w.send, exact: true })), 303);
    assert.equal(pathOf(page.url()), '/accounts/password-reset/done');
    assert.equal(await heading(), w.doneTitle);
    assert.equal(await textOf(page, 'main h1 + p'), w.doneText);
    await step('check-email');

    // The mail, in the language of the visitor who asked, with the link to this site.
    const message = await running().mail.waitFor(walk.email, { timeoutMs });
    assert.match(message.subject, w.subject);
    const link = linkIn(message, '/accounts/reset/');
    assert.equal(link.origin, running().site.url);
    const [, , , uidb64, token] = link.pathname.split('/');
    assert.ok(uidb64 && token, `uid and token in ${link.pathname}`);

    // The link: the token leaves the address bar before any page is shown.
    assert.equal(await goto(page, link.href), 200);
    assert.equal(pathOf(page.url()), `/accounts/reset/${uidb64}/set-password`);
    assert.ok(!page.url().includes(token), 'the token is still in the address bar');
    assert.equal(await heading(), w.setTitle);
    await main.getByLabel(w.newPassword, { exact: true }).fill(walk.newPassword);
    await main.getByLabel(w.newConfirmation, { exact: true }).fill(walk.newPassword);
    await step('set-password');
    assert.equal(await submit(page, main.getByRole('button', { name: w.setSubmit, exact: true })), 303);
    assert.equal(pathOf(page.url()), '/accounts/reset/done');
    assert.equal(await heading(), w.completeTitle);
    assert.equal(await textOf(page, 'main h1 + p'), w.completeText);
    await assertAnonymous();
    await step('password-set');

    // Its "Log in" link, and the new password logs in.
    await follow(page, main.getByRole('link', { name: w.logIn, exact: true }), '/accounts/login');
    await main.getByLabel(w.username, { exact: true }).fill(walk.username);
    await main.getByLabel(w.password, { exact: true }).fill(walk.newPassword);
    assert.equal(await submit(page, main.getByRole('button', { name: w.logIn, exact: true })), 303);
    assert.equal(pathOf(page.url()), '/');
    await assertLoggedInAs(walk.username);
    await step('logged-in');

    // The mail's link again: used, so it shows no form, only the way to ask for a new one.
    assert.equal(await goto(page, link.href), 200);
    assert.equal(await heading(), w.invalidTitle);
    assert.equal(await textOf(page, 'main h1 + p'), w.invalidText);
    assert.equal(await page.locator('input[name="new_password1"], input[type="password"]').count(), 0);
    assert.equal(await main.getByRole('link', { name: w.askAgain, exact: true }).getAttribute('href'), '/accounts/password-reset');
    await step('link-used');

    assert.deepEqual(checked.problems, []);
    await checked.context.close();
  });
}
