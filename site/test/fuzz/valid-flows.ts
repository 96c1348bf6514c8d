// Carries out the stream's valid requests as a browser would, and counts each one the site carried out.
import { csrfToken } from '../../../test/support/client.ts';
import { record } from './expectations.ts';
import { PASSWORD, type Fixture } from './fixture.ts';
import { encodePairs, text, type Pair } from './form-encoding.ts';
import type { Generated, Valid } from './generated-request.ts';
import { sendHttp } from './http-client.ts';
import type { Tally } from './tally.ts';

function cookieValue(setCookies: readonly string[], name: string): string | null {
  for (const header of setCookies) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(header);
    if (match && !/max-age=0/i.test(header) && match[1] !== '') return match[1]!;
  }
  return null;
}

export async function runValid(fx: Fixture, generated: Generated, valid: Valid, tally: Tally): Promise<void> {
  const violation = (detail: string): void => {
    tally.violations.push({ rule: 'a valid request was not carried out', what: generated.what, detail });
  };
  const post = async (path: string, cookie: string, pairs: Pair[]) => {
    const body = encodePairs(pairs);
    tally.sent += 1;
    tally.http += 1;
    // Its own connection: a POST is never retried, so it must never meet a connection closing under it.
    const outcome = await sendHttp(fx.port, { kind: 'http', method: 'POST', path, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) }, body, fresh: true }, false);
    record(tally, generated, outcome);
    return outcome;
  };
  const anonCookie = `csrftoken=${fx.anon.secret}`;
  switch (valid.flow) {
    case 'signup': {
      const pairs: Pair[] = [[text('_csrf'), text(fx.anon.token)], [text('username'), text(valid.username)], [text('email'), text(`${valid.username}@example.com`)], [text('password1'), text(PASSWORD)], [text('password2'), text(PASSWORD)]];
      if (valid.withNext) pairs.push([text('next'), text('/articles')]);
      const outcome = await post('/accounts/signup', anonCookie, pairs);
      if (outcome.status === 303 && outcome.setsSession) tally.signups += 1;
      else violation(`answered ${outcome.status ?? outcome.error}`);
      return;
    }
    case 'login': {
      const pairs: Pair[] = [[text('_csrf'), text(fx.anon.token)], [text('username'), text(valid.username)], [text('password'), text(PASSWORD)]];
      if (valid.rememberMe) pairs.push([text('remember_me'), text('on')]);
      const outcome = await post('/accounts/login', anonCookie, pairs);
      const session = cookieValue(outcome.setCookies, 'sessionid');
      if (outcome.status !== 303 || session === null) return violation(`login answered ${outcome.status ?? outcome.error}`);
      tally.logins += 1;
      if (!valid.logOut) return;
      // Login rotated the CSRF secret: the next form needs a token of the new one.
      const secret = cookieValue(outcome.setCookies, 'csrftoken') ?? fx.anon.secret;
      tally.sent += 1;
      tally.http += 1;
      const home = await sendHttp(fx.port, { kind: 'http', method: 'GET', path: '/', headers: { cookie: `sessionid=${session}; csrftoken=${secret}` }, body: undefined, fresh: true }, true);
      record(tally, generated, home);
      let token: string;
      try {
        token = csrfToken(home.body);
      } catch {
        return violation(`the home page after login (${home.status}) had no CSRF token`);
      }
      const logout = await post('/accounts/logout', `sessionid=${session}; csrftoken=${secret}`, [[text('_csrf'), text(token)]]);
      if (logout.status === 303) tally.logouts += 1;
      else violation(`logout answered ${logout.status ?? logout.error}`);
      return;
    }
    case 'article': {
      const actor = fx.actors[valid.actor]!;
      const outcome = await post('/articles', `sessionid=${actor.session}; csrftoken=${actor.csrf.secret}`, [[text('_csrf'), text(actor.csrf.token)], [text('title'), text(valid.title)], [text('content'), text(valid.content)]]);
      const id = /^\/articles\/([0-9]+)$/.exec(outcome.location ?? '')?.[1];
      if (outcome.status === 303 && id !== undefined) tally.articles.push({ id: Number(id), title: valid.title.trim(), content: valid.content.replace(/\r\n/g, '\n'), authorId: actor.userId });
      else violation(`answered ${outcome.status ?? outcome.error} ${outcome.location ?? ''}`);
      return;
    }
  }
}
