// A minimal browser for tests over real HTTP: a cookie jar, manual redirects, and form reading.
import { parse, type HTMLElement } from 'node-html-parser';

export interface Page {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
}

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly origin: string) {}

  async get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', pathOrUrl, undefined, headers);
  }

  async post(pathOrUrl: string, form: Record<string, string | string[]> | URLSearchParams, headers: Record<string, string> = {}): Promise<Page> {
    const body = form instanceof URLSearchParams ? form : toSearchParams(form);
    return this.request('POST', pathOrUrl, body.toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  async request(method: string, pathOrUrl: string, body: string | undefined, headers: Record<string, string> = {}): Promise<Page> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.origin}${pathOrUrl}`;
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { ...(cookie === '' ? {} : { cookie }), ...headers },
      ...(body === undefined ? {} : { body }),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = response.headers.get('location');
    return {
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      location: location === null ? null : new URL(location, url).href,
    };
  }
}

export function toSearchParams(form: Record<string, string | string[]>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params;
}

/** The first form of a page with its hidden inputs. */
export function readForm(html: string, selector = 'form'): { action: string; hidden: Record<string, string>; root: HTMLElement } {
  const root = parse(html);
  const form = root.querySelector(selector);
  if (form === null) throw new Error(`no ${selector} on the page:\n${html.slice(0, 500)}`);
  const hidden: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type=hidden]')) {
    const name = input.getAttribute('name');
    if (name !== undefined) hidden[name] = input.getAttribute('value') ?? '';
  }
  return { action: form.getAttribute('action') ?? '', hidden, root };
}
