// The valid requests of the stream: sign-ups, logins (some followed by a logout) and article posts, built to succeed.
import type { Fixture } from './fixture.ts';
import type { Generated, Valid } from './generated-request.ts';
import type { Random } from './seeded-random.ts';

const TITLE_PIECES = ['Notes', '<b>bold</b>', '"quoted"', "it's", '한국어 제목', 'emoji 😀🎉', 'x &amp; y', 'שלום', '𝕏 astral', 'café', '{{ not_a_template }}', '<script>x</script>', '100%', 'a\u0301', 'tab\there'];

export function generateValid(r: Random, fx: Fixture, index: number, serial: number): Generated {
  const valid = r.weighted<() => Valid>([
    [3, () => ({ flow: 'signup', username: `fz${fx.tag}n${serial}`, withNext: r.chance(0.3) })],
    [3, () => {
      // CONTRACT: login accepts any case of the username.
      const username = r.pick(fx.loginUsers);
      return { flow: 'login', username: r.pick([username, username, username.toUpperCase(), username.toLowerCase()]), rememberMe: r.chance(0.5), logOut: r.chance(0.5) };
    }],
    [4, () => {
      const title = [...Array.from({ length: r.int(1, 4) }, () => r.pick(TITLE_PIECES)).join(' ')].slice(0, 190).join('');
      const content = r.chance(0.2) ? '' : Array.from({ length: r.int(1, 60) }, () => r.pick([...TITLE_PIECES, '\r\n', '\n\n', 'lorem ipsum dolor'])).join(' ');
      return { flow: 'article', actor: r.int(0, fx.actors.length - 1), title: `${title} ${serial}`, content };
    }],
  ])();
  const what = valid.flow === 'article' ? `#${index} valid article by actor${valid.actor}` : `#${index} valid ${valid.flow} ${valid.username}`;
  return { index, what, valid, request: null, refusedKind: null, csrfPoisoned: false, oversize: false };
}
