// A small browser stand-in over fetch: keeps cookies, reads the CSRF token from forms, never follows redirects.

export interface Cookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function parseSetCookie(header: string): Cookie {
  const [pair = '', ...rest] = header.split(';');
  const index = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const [key = '', ...value] = part.trim().split('=');
    attributes[key.toLowerCase()] = value.length > 0 ? value.join('=') : true;
  }
  return { name: pair.slice(0, index).trim(), value: pair.slice(index + 1).trim(), attributes };
}

export interface Response {
  status: number;
  headers: Headers;
  body: string;
  cookies: Cookie[];
  location: string | null;
}

export class Client {
  readonly base: string;
  readonly jar = new Map<string, string>();
  userAgent = 'tessera-test-client';

  constructor(base: string) {
    this.base = base;
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async request(method: string, path: string, options: { form?: Record<string, string>; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...options.headers };
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined = options.body;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    const cookies = response.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of cookies) {
      const maxAge = cookie.attributes['max-age'];
      if (maxAge === '0' || cookie.value === '') this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    return { status: response.status, headers: response.headers, body: text, cookies, location: response.headers.get('location') };
  }

  get(path: string, headers?: Record<string, string>): Promise<Response> {
    return this.request('GET', path, headers ? { headers } : {});
  }

  /** Fetches `formPage`, takes its CSRF token, and posts `fields` to `action`. */
  async submit(formPage: string, action: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response> {
    const page = await this.get(formPage);
    const token = csrfToken(page.body);
    return this.request('POST', action, { form: { _csrf: token, ...fields }, ...(headers ? { headers } : {}) });
  }

  /** Posts with a token taken from the home page, for actions that have no page of their own. */
  async post(action: string, fields: Record<string, string> = {}, headers?: Record<string, string>): Promise<Response> {
    return this.submit('/', action, fields, headers);
  }
}

export function csrfToken(html: string): string {
  const match = /name="_csrf" value="([A-Za-z0-9]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in the page');
  return match[1];
}
