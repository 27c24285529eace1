// Page helpers for the console, split three ways: `find` locates things, `act` does what a
// person does, `check` says what must be true. Specs read as steps; selectors live here.
import { generateKeyPairSync, sign } from 'node:crypto';
import { APIRequestContext, Page, expect } from '@playwright/test';

export const admin = {
  username: process.env.PORTCULLIS_E2E_ADMIN!,
  password: process.env.PORTCULLIS_E2E_ADMIN_PASSWORD!,
  token: process.env.PORTCULLIS_E2E_ADMIN_TOKEN!,
};

/** Set-up through the public API with the admin token (what the tests do not test). */
export const setup = {
  async tenant(request: APIRequestContext, id: string) {
    const r = await request.post('/v1/tenants', {
      headers: { authorization: `Bearer ${admin.token}` },
      data: { tenantId: id, name: `Tenant ${id}` },
    });
    expect(r.status()).toBe(201);
  },
  async account(request: APIRequestContext, tenant: string, username: string, password: string, role: string) {
    const auth = { authorization: `Bearer ${admin.token}` };
    expect((await request.post('/v1/accounts', { headers: auth, data: { username, password } })).status()).toBe(201);
    const member = await request.put(`/v1/tenants/${tenant}/members/${username}`, { headers: auth, data: { role } });
    expect(member.status()).toBe(201);
  },
  async put(request: APIRequestContext, path: string, data: object) {
    const r = await request.put(path, { headers: { authorization: `Bearer ${admin.token}` }, data });
    expect([200, 201]).toContain(r.status());
  },
  async get(request: APIRequestContext, path: string) {
    const r = await request.get(path, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(r.status()).toBe(200);
    return r.json();
  },
  /**
   * Registers an identity issuer on `tenant` (`https://idp.example/`, a P-256 key made
   * here) and returns a signer of its tokens: `token('ada')` is a token for ada.
   */
  async issuer(request: APIRequestContext, tenant: string) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1' };
    await setup.put(request, `/v1/tenants/${tenant}/issuers/idp`, {
      name: 'IdP', issuer: 'https://idp.example/', audiences: ['portal'], jwks: { keys: [jwk] }, algorithms: ['ES256'],
    });
    const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');
    return (sub: string) => {
      const now = Math.floor(Date.now() / 1000);
      const message = `${b64(JSON.stringify({ alg: 'ES256', kid: 'k1' }))}.${b64(JSON.stringify({
        iss: 'https://idp.example/', aud: 'portal', sub, iat: now, exp: now + 600,
      }))}`;
      return `${message}.${b64(sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
    };
  },
};

export const find = {
  username: (page: Page) => page.getByLabel('Username'),
  password: (page: Page) => page.getByLabel('Password'),
  signInButton: (page: Page) => page.getByRole('button', { name: 'Sign in' }),
  signOutButton: (page: Page) => page.getByRole('button', { name: 'Sign out' }),
  alert: (page: Page) => page.getByRole('alert'),
  field: (page: Page, label: string) => page.getByLabel(label, { exact: true }),
  button: (page: Page, name: string) => page.getByRole('button', { name, exact: true }),
  link: (page: Page, name: string) => page.getByRole('link', { name, exact: true }),
  fieldError: (page: Page) => page.locator('.field-error'),
  verdict: (page: Page) => page.locator('.decision .verdict'),
  decision: (page: Page) => page.locator('.decision'),
};

export const act = {
  /** Opens a console URL and waits until the app is live (clicks before hydration are lost). */
  async open(page: Page, path: string) {
    await page.goto(path);
    await page.waitForSelector('body[data-hydrated="true"]');
  },
  async signIn(page: Page, username = admin.username, password = admin.password) {
    await act.open(page, '/console/login');
    await find.username(page).fill(username);
    await find.password(page).fill(password);
    await find.signInButton(page).click();
  },
  async signOut(page: Page) {
    await find.signOutButton(page).click();
  },
  async fill(page: Page, label: string, value: string) {
    await find.field(page, label).fill(value);
  },
  async save(page: Page) {
    await find.button(page, 'Save').click();
  },
  /** Runs a check in the playground. */
  async check(page: Page, tenant: string, user: string, resource: string, permission: string) {
    await act.open(page, `/console/t/${tenant}/playground`);
    await act.fill(page, 'User', user);
    await act.fill(page, 'Resource', resource);
    await act.fill(page, 'Permission', permission);
    await find.button(page, 'Check').click();
  },
  /** A request from inside the signed-in page, as a script on the page would send it. */
  async fetchFromPage(page: Page, method: string, path: string, body: object, csrf: boolean) {
    return page.evaluate(
      async ({ method, path, body, csrf }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (csrf) {
          const session = await (await fetch('/v1/session')).json();
          headers['x-csrf-token'] = session.csrfToken;
        }
        const r = await fetch(path, { method, headers, body: JSON.stringify(body) });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      { method, path, body, csrf },
    );
  },
  async screenshot(page: Page, name: string) {
    await page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
  },
};

export const check = {
  async signedIn(page: Page) {
    await expect(find.signOutButton(page)).toBeVisible();
  },
  async onSignInPage(page: Page) {
    await expect(page).toHaveURL(/\/console\/login/);
    await expect(find.signInButton(page)).toBeVisible();
  },
  async saved(page: Page) {
    await expect(page.getByRole('status').filter({ hasText: 'Saved at revision' })).toBeVisible();
  },
  async allowedBy(page: Page, record: string) {
    await expect(find.verdict(page)).toHaveText('Allowed');
    await expect(find.decision(page)).toContainText(`Granted by record ${record}`);
    await expect(find.decision(page)).toContainText(/Computed at revision \d+/);
  },
  async deniedBecause(page: Page, text: string) {
    await expect(find.verdict(page)).toHaveText('Denied');
    await expect(find.decision(page)).toContainText(text);
  },
  async noEditControls(page: Page) {
    for (const name of ['Save', 'Delete', 'Add permission']) {
      await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    }
  },
};
