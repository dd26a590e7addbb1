/** A browser's part in a single sign-on, with fetch: cookies kept per host as a browser keeps them (whatever the port), redirects followed one at a time so a test can stop at any, and the test provider's login form filled in. */

export interface Step {
  url: string;
  status: number;
  /** The Location header, resolved against `url`. */
  location: string | undefined;
  body: string;
}

export class FetchBrowser {
  /** host → cookie name → value. Paths are ignored: every cookie of a host goes with every request to it. */
  private readonly jar = new Map<string, Map<string, string>>();

  /** `headers` go with every request (`x-forwarded-for`, to be another computer to a server that trusts the loopback proxy). */
  constructor(private readonly headers: Record<string, string> = {}) {}

  /** One request, its cookies sent and its Set-Cookie headers kept; never follows a redirect. */
  async request(url: string, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}): Promise<Step> {
    const host = new URL(url).hostname;
    const cookie = [...(this.jar.get(host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...this.headers, ...(cookie === '' ? {} : { cookie }), ...(init.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form).toString() }),
    });
    for (const line of response.headers.getSetCookie()) this.keep(host, line);
    const location = response.headers.get('location');
    return { url, status: response.status, location: location === null ? undefined : new URL(location, url).href, body: await response.text() };
  }

  /** Follows redirects from `url` until an answer that is not one, or until the next address satisfies `stopBefore` (returned unrequested). */
  async follow(url: string, stopBefore: (next: string) => boolean = () => false): Promise<{ last: Step; next: string | undefined }> {
    let step = await this.request(url);
    for (let hops = 0; step.location !== undefined && hops < 20; hops += 1) {
      if (stopBefore(step.location)) return { last: step, next: step.location };
      step = await this.request(step.location);
    }
    return { last: step, next: undefined };
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  /** As if `host` had set it. */
  setCookie(host: string, name: string, value: string): void {
    this.keep(host, `${name}=${value}`);
  }

  /** Keeps one Set-Cookie line; one ended by Max-Age=0 or an Expires in the past is forgotten. */
  private keep(host: string, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, cookies);
    const ended = attributes.some((attribute) => /^max-age=0$/i.test(attribute) || (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()));
    if (ended) cookies.delete(name);
    else cookies.set(name, pair.slice(at + 1));
  }
}

/**
 * Signs in at the test provider as `login`: from the authorization URL through oidc-provider's
 * development login form (any password), to the address it sends the browser back to, which is
 * returned unrequested (`callbackPrefix` says which that is).
 */
export async function signInAtProvider(browser: FetchBrowser, authorizationUrl: string, login: string, callbackPrefix: string): Promise<string> {
  const form = await browser.follow(authorizationUrl);
  const action = /<form[^>]*action="([^"]+)"/.exec(form.last.body)?.[1];
  if (form.last.status !== 200 || action === undefined) throw new Error(`no login form at the provider: ${form.last.status} ${form.last.url}\n${form.last.body.slice(0, 500)}`);
  const submitted = await browser.request(new URL(action.replace(/&amp;/g, '&'), form.last.url).href, { method: 'POST', form: { prompt: 'login', login, password: 'anything' } });
  if (submitted.location === undefined) throw new Error(`the provider did not accept the login: ${submitted.status}\n${submitted.body.slice(0, 500)}`);
  const back = await browser.follow(submitted.location, (next) => next.startsWith(callbackPrefix));
  if (back.next === undefined) throw new Error(`the provider did not send the browser back: ${back.last.status} ${back.last.url}\n${back.last.body.slice(0, 500)}`);
  return back.next;
}
