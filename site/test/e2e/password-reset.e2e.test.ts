// "Forgot my password", walked in real Chromium as a new user would, against a started site that
// mails through a real SMTP server: in English at 1280 px and in Korean on a 390 px phone, with a
// screenshot of each step at both widths (test-artifacts/e2e/password-reset-*.png), and the checks
// the look walk makes in place of axe (axe-core is not installed here) plus text contrast, on the
// reset request, set-password and invalid-link pages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, newCheckedContext, screenshotDirectory, screenshots } from '../../../test/support/browser.ts';
import { linkIn, startMailServer, type MailServer } from '../../../test/support/mail-server.ts';
import { skipOrFail } from '../../../test/support/requirements.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';

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

function pathOf(url: string | URL): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** Clicks a link and waits until the page at `path` (path and query) has loaded. */
async function follow(page: Page, link: Locator, path: string): Promise<void> {
  await Promise.all([page.waitForURL((url) => pathOf(url) === path, { waitUntil: 'load' }), link.click()]);
}

/** Submits a form with its button; resolves to the POST's status once the next page has loaded. */
async function submit(page: Page, button: Locator): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest() && r.frame() === page.mainFrame()),
    page.waitForEvent('load'),
    button.click(),
  ]);
  return response.status();
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

/**
 * What an accessibility checker would flag on any page (the look walk's checks), and text whose
 * contrast with what is behind it is under WCAG AA: 4.5:1, or 3:1 for large text. [] if none.
 */
async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const text = (element: Element) => (element.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (!['ko', 'en'].includes(document.documentElement.lang)) problems.push('html has no lang');
    if (document.title.trim() === '') problems.push('no title');
    if (document.querySelectorAll('h1').length !== 1) problems.push(`${document.querySelectorAll('h1').length} h1 elements`);
    for (const th of document.querySelectorAll('th')) if (text(th) === '') problems.push('empty-table-header');
    for (const control of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input:not([type=hidden]), select, textarea')) {
      if ((control.labels?.length ?? 0) === 0 && !control.getAttribute('aria-label')) problems.push(`unlabelled ${control.name}`);
    }
    for (const element of document.querySelectorAll('button, a[href]')) {
      if (text(element) === '' && !element.getAttribute('aria-label')) problems.push(`unnamed ${element.tagName.toLowerCase()}`);
    }
    const ids = [...document.querySelectorAll('[id]')].map((element) => element.id);
    for (const id of new Set(ids)) if (ids.filter((other) => other === id).length > 1) problems.push(`duplicate id ${id}`);
    for (const element of document.querySelectorAll('[aria-describedby]')) {
      for (const id of (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)) {
        if (document.getElementById(id) === null) problems.push(`aria-describedby names a missing ${id}`);
      }
    }

    // Contrast: the site's colours are plain rgb()/rgba() and its backgrounds flat (but for decorative
    // pseudo-elements), so the nearest opaque background behind the text is what it is read against.
    const rgba = (value: string): [number, number, number, number] | null => {
      const match = /rgba?\(([^)]+)\)/.exec(value);
      if (match === null) return null;
      const [r = 0, g = 0, b = 0, a = 1] = match[1]!.split(/[\s,/]+/).filter(Boolean).map((part) => (part.endsWith('%') ? Number(part.slice(0, -1)) / 100 : Number(part)));
      return [r, g, b, a];
    };
    const over = (top: [number, number, number, number], under: [number, number, number]): [number, number, number] => [0, 1, 2].map((i) => top[i]! * top[3] + under[i]! * (1 - top[3])) as [number, number, number];
    const background = (element: Element): [number, number, number] => {
      const layers: [number, number, number, number][] = [];
      for (let at: Element | null = element; at !== null; at = at.parentElement) {
        const colour = rgba(getComputedStyle(at).backgroundColor);
        if (colour !== null && colour[3] > 0) {
          layers.push(colour);
          if (colour[3] >= 1) break;
        }
      }
      return layers.reduceRight<[number, number, number]>((under, layer) => over(layer, under), [255, 255, 255]);
    };
    const luminance = ([r, g, b]: [number, number, number]) => {
      const channel = (value: number) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    for (const element of document.querySelectorAll('body *')) {
      const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && (node.textContent ?? '').trim() !== '');
      if (!ownText) continue;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      // Off-screen (the skip link until focused) and visually-hidden text is not read by the eye.
      if (box.width <= 1 || box.height <= 1 || box.right < 0 || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const fore = rgba(style.color);
      if (fore === null) continue;
      const back = background(element);
      const [lighter, darker] = [luminance(over(fore, back)), luminance(back)].sort((a, b) => b - a) as [number, number];
      const ratio = (lighter + 0.05) / (darker + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)}:1 for "${text(element).slice(0, 40)}" (${style.color} on rgb(${back.map(Math.round).join(', ')}))`);
    }
    return problems;
  });
}

/** Nothing on the page wider than the window, and every button inside it (the look walk's check). */
async function fitsWidth(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    for (const button of document.querySelectorAll('button')) {
      const box = button.getBoundingClientRect();
      if (box.left < 0 || box.right > width) problems.push(`button "${button.textContent?.trim()}" outside the window`);
    }
    return problems;
  });
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

    /** A screenshot of this step at 1280 and at 390 px, nothing wider than the phone; back to the walk's width. */
    async function step(name: string, options: { accessibility?: boolean } = {}): Promise<void> {
      for (const [label, size] of [['1280', desktop], ['390', phone]] as const) {
        await page.setViewportSize(size);
        await shots.take(page, `${name}-${walk.lang}-${label}`);
        if (options.accessibility) assert.deepEqual(await accessibilityProblems(page), [], `${name} (${walk.lang}) at ${label} px`);
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

    // Log out with the header's button, and go to the login page.
    assert.equal(await submit(page, header.getByRole('button', { name: w.logOut, exact: true })), 303);
    assert.equal(pathOf(page.url()), '/');
    await assertAnonymous();
    await follow(page, header.getByRole('link', { name: w.logIn, exact: true }), '/accounts/login');
    await step('login');

    // "Forgot your password?": the form that asks for the address.
    await follow(page, main.getByRole('link', { name: w.forgot, exact: true }), '/accounts/password-reset');
    assert.equal(await heading(), w.requestTitle);
    assert.equal(await textOf(page, 'main .intro'), w.requestIntro);
    await main.getByLabel(w.email, { exact: true }).fill(walk.email);
    await step('request', { accessibility: true });
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
    await step('set-password', { accessibility: true });
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
    await step('link-used', { accessibility: true });

    assert.deepEqual(checked.problems, []);
    await checked.context.close();
  });
}
