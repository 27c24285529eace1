import { execSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { act, admin, check, find, setup } from './console';

test('sign-in refuses a wrong password and accepts the right one', async ({ page }) => {
  await act.signIn(page, admin.username, 'not the password at all');
  await expect(find.alert(page)).toContainText('the username or the password is wrong');
  // Already on the sign-in page: no "Sign in again" beside the refusal.
  await expect(find.link(page, 'Sign in again')).toHaveCount(0);
  await check.onSignInPage(page);
  await find.password(page).fill(admin.password);
  await find.signInButton(page).click();
  await check.signedIn(page);
  await expect(page.getByRole('heading', { name: 'Your tenants' })).toBeVisible();
  // This is the run's first test: no tenant exists yet, and a platform admin is sent to
  // create one (not told to ask a platform admin).
  await expect(page.locator('.empty')).toContainText('No tenants yet');
  await expect(find.link(page, 'Create the first one')).toBeVisible();
});

test('an admin builds access with the forms, and the playground follows every change', async ({ page, request }) => {
  await setup.tenant(request, 'acme');
  await act.signIn(page);
  await check.signedIn(page);

  // A role with one permission entry.
  await act.open(page, '/console/t/acme/roles/_new');
  await act.fill(page, 'Role id', 'editor');
  await act.fill(page, 'Name', 'Editor');
  await find.button(page, 'Add permission').click();
  await page.getByLabel('Action of permission 1').fill('documents:read');
  await act.save(page);
  await expect(page).toHaveURL(/\/console\/t\/acme\/roles\/editor$/);
  await expect(find.field(page, 'Name')).toHaveValue('Editor');

  // A group with a member.
  await act.open(page, '/console/t/acme/groups/_new');
  await act.fill(page, 'Group id', 'support');
  await act.fill(page, 'Name', 'Support');
  await act.fill(page, 'Members (user ids, one per line)', 'ada');
  await act.save(page);
  await expect(page).toHaveURL(/\/groups\/support$/);

  // A record giving the role to the group on /docs.
  await act.open(page, '/console/t/acme/records/_new');
  await act.fill(page, 'Record id', 'support-editors');
  await act.fill(page, 'Name', 'Support edits the docs');
  await act.fill(page, 'Groups (ids, one per line)', 'support');
  await page.getByLabel('Roles of statement 1').fill('editor');
  await page.getByLabel('Resources of statement 1').fill('/docs');
  await act.save(page);
  await expect(page).toHaveURL(/\/records\/support-editors$/);

  // The playground: allowed, by that record.
  await act.check(page, 'acme', 'ada', '/docs/handbook', 'documents:read');
  await check.allowedBy(page, 'support-editors');
  await expect(page).toHaveURL(/user=ada/);

  // Revoke the record (disable it): the very next check is denied, with the reason.
  await act.open(page, '/console/t/acme/records/support-editors');
  await find.field(page, 'Disabled (grants nothing while disabled)').check();
  await act.save(page);
  await check.saved(page);
  await act.check(page, 'acme', 'ada', '/docs/handbook', 'documents:read');
  await check.deniedBecause(page, 'the record is disabled');

  // The records list says whom each record names and what it gives.
  await act.open(page, '/console/t/acme/records');
  const row = page.getByRole('row', { name: /support-editors/ });
  await expect(row).toContainText('group support');
  await expect(row).toContainText('editor on /docs');

  // The role's page lists the records that give it; deleting it while in use is refused
  // with its users.
  await act.open(page, '/console/t/acme/roles/editor');
  const usedBy = page.getByRole('region', { name: 'used by' });
  await expect(usedBy.locator('tbody tr')).toHaveCount(1);
  await expect(usedBy).toContainText('support-editors');
  await find.button(page, 'Delete').click();
  await find.button(page, 'Confirm: delete').click();
  await expect(find.alert(page)).toBeVisible();
  await expect(page.locator('.referrers')).toContainText('record support-editors');
});

test('the server\'s field errors are shown beside the field, and actions are checked as typed', async ({ page, request }) => {
  await setup.tenant(request, 'fields');
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/fields/roles/_new');
  await find.button(page, 'Add permission').click();
  await page.getByLabel('Action of permission 1').fill('documents read');
  await expect(page.locator('.field-error.inline')).toContainText('such as `documents:read`');
  await page.getByLabel('Action of permission 1').fill('documents:read');
  await expect(page.locator('.field-error.inline')).toHaveCount(0);
  await act.fill(page, 'Role id', '-not-an-id');
  await act.fill(page, 'Name', 'Broken');
  await act.save(page);
  const roleIdField = page.locator('.field', { has: find.field(page, 'Role id') });
  await expect(roleIdField.locator('.field-error')).toContainText('not a valid id');
  await expect(page).toHaveURL(/\/roles\/_new$/);
});

test('a save with several mistakes shows every one of them at once', async ({ page, request }) => {
  await setup.tenant(request, 'mistakes');
  await setup.put(request, '/v1/tenants/mistakes/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await act.signIn(page);
  await check.signedIn(page);
  const errorOf = (label: string) => page.locator('.field', { has: find.field(page, label) }).locator('.field-error');

  // A role: an id that cannot be one, and no name. Both are named after one save.
  await act.open(page, '/console/t/mistakes/roles/_new');
  await act.fill(page, 'Role id', '-not-an-id');
  await act.save(page);
  await expect(errorOf('Role id')).toContainText('not a valid id');
  await expect(errorOf('Name')).toContainText('must not be empty');

  // A record: no name, a group and a role that do not exist, a resource that is not a URI.
  await act.open(page, '/console/t/mistakes/records/_new');
  await act.fill(page, 'Groups (ids, one per line)', 'nobody');
  await page.getByLabel('Roles of statement 1').fill('viewer, ghost');
  await page.getByLabel('Resources of statement 1').fill('docs');
  await act.save(page);
  await expect(errorOf('Name')).toContainText('must not be empty');
  await expect(errorOf('Groups (ids, one per line)')).toContainText('group `nobody` does not exist');
  await expect(page.locator('.field-error', { hasText: 'role `ghost` does not exist' })).toHaveCount(1);
  await expect(page.locator('.field-error', { hasText: 'is not a resource uri' })).toHaveCount(1);
  await expect(page).toHaveURL(/\/records\/_new$/);
});

test('a save over someone else\'s change is refused and says so, instead of overwriting it', async ({ page, request }) => {
  await setup.tenant(request, 'twoadmins');
  await setup.put(request, '/v1/tenants/twoadmins/groups/support', { name: 'Support', users: ['ada'] });
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/twoadmins/groups/support');
  await expect(find.field(page, 'Name')).toHaveValue('Support');
  // Another admin adds bob while this page is open.
  await setup.put(request, '/v1/tenants/twoadmins/groups/support', { name: 'Support', users: ['ada', 'bob'] });
  await act.fill(page, 'Name', 'Support team');
  await act.save(page);
  await expect(find.alert(page)).toContainText('Someone changed this since you opened it');
  await expect(find.alert(page)).toContainText('nothing was saved');
  const group = await setup.get(request, '/v1/tenants/twoadmins/groups/support');
  expect(group.users).toEqual(['ada', 'bob']);
  expect(group.name).toBe('Support');
  // Reloaded, the page has the other change, and saving works (and keeps bob).
  await page.reload();
  await expect(find.field(page, 'Members (user ids, one per line)')).toHaveValue('ada\nbob');
  await act.fill(page, 'Name', 'Support team');
  await act.save(page);
  await check.saved(page);
  const saved = await setup.get(request, '/v1/tenants/twoadmins/groups/support');
  expect(saved.users).toEqual(['ada', 'bob']);
  expect(saved.name).toBe('Support team');
  // A second save from the same page is at the revision the first one made: accepted.
  await act.fill(page, 'Name', 'Support crew');
  await act.save(page);
  await check.saved(page);
});

test('API keys get an expiry, a new name, and a word when they are revoked', async ({ page, request }) => {
  await setup.tenant(request, 'keyring');
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/keyring/api-keys');
  await act.fill(page, 'Name', 'nightly export');
  await find.field(page, 'Expires (UTC, optional)').fill('2099-12-31T23:30');
  await find.button(page, 'Create key').click();
  await expect(page.locator('.secret')).toContainText('nightly export');
  const row = page.getByRole('row', { name: /nightly export/ });
  await expect(row).toContainText('2099-12-31');
  const [key] = (await setup.get(request, '/v1/tenants/keyring/api-keys')).items;
  expect(key.expiresAt).toBe('2099-12-31T23:30:00.000Z');

  // A key whose expiry has passed says so.
  await setup.put(request, `/v1/tenants/keyring/api-keys/${key.keyId}`, { name: 'old', scopes: ['check'], expiresAt: '2020-01-01T00:00:00Z' });
  await page.reload();
  await expect(page.getByRole('row', { name: /old/ }).locator('.badge')).toHaveText('expired');

  // Rename in place: the scopes and expiry stay as they are.
  await page.getByRole('row', { name: /old/ }).getByRole('button', { name: 'Rename' }).click();
  await find.field(page, 'New name').fill('legacy export');
  await find.button(page, 'Save name').click();
  await expect(page.getByRole('status').filter({ hasText: 'renamed' })).toContainText('renamed “legacy export”');
  await expect(page.getByRole('row', { name: /legacy export/ })).toHaveCount(1);
  const renamed = await setup.get(request, `/v1/tenants/keyring/api-keys/${key.keyId}`);
  expect(renamed.name).toBe('legacy export');
  expect(renamed.scopes).toEqual(['check']);
  expect(renamed.expiresAt).toBe('2020-01-01T00:00:00.000Z');

  // Revoking says what was revoked, and the key leaves the list.
  await page.getByRole('row', { name: /legacy export/ }).getByRole('button', { name: 'Revoke' }).click();
  await find.button(page, 'Confirm: revoke').click();
  await expect(page.getByRole('status').filter({ hasText: 'revoked' })).toContainText(`Key “legacy export” (${key.keyId}) revoked`);
  await expect(page.getByRole('row', { name: /legacy export/ })).toHaveCount(0);
});

test('a viewer sees no edit controls, and a forged write is refused', async ({ page, request }) => {
  await setup.tenant(request, 'viewing');
  await setup.put(request, '/v1/tenants/viewing/roles/reader', { name: 'Reader', permissions: [{ action: 'documents:read' }] });
  await setup.account(request, 'viewing', 'vera', 'vera viewer passphrase', 'viewer');
  await act.signIn(page, 'vera', 'vera viewer passphrase');
  await check.signedIn(page);
  await act.open(page, '/console/t/viewing/roles');
  await expect(page.getByRole('link', { name: 'reader' })).toBeVisible();
  await expect(find.link(page, 'New role')).toHaveCount(0);
  await act.open(page, '/console/t/viewing/roles/reader');
  await expect(find.field(page, 'Name')).toHaveValue('Reader');
  await expect(find.field(page, 'Name')).toBeDisabled();
  await check.noEditControls(page);
  await act.open(page, '/console/t/viewing/api-keys');
  await expect(find.button(page, 'Create key')).toHaveCount(0);
  // The platform pages refuse a tenant member, and offer no forms that would be refused.
  for (const [path, button] of [['/console/admin/tenants', 'Create tenant'], ['/console/admin/accounts', 'Create account']]) {
    await act.open(page, path);
    await expect(find.alert(page)).toBeVisible();
    await expect(find.button(page, button)).toHaveCount(0);
  }

  const forged = await act.fetchFromPage(page, 'PUT', '/v1/tenants/viewing/roles/reader', { name: 'Hacked' }, true);
  expect(forged.status).toBe(403);
  expect(forged.body.code).toBe('forbidden');
  // A viewer may still ask questions.
  await act.check(page, 'viewing', 'ada', '/docs', 'documents:read');
  await check.deniedBecause(page, 'No access record names this user');
});

test('a request without the CSRF token is refused', async ({ page, request }) => {
  await setup.tenant(request, 'csrf');
  await act.signIn(page);
  await check.signedIn(page);
  const without = await act.fetchFromPage(page, 'POST', '/v1/tenants/csrf/roles', { name: 'Sneaky' }, false);
  expect(without.status).toBe(403);
  expect(without.body.code).toBe('csrf_failed');
  const withToken = await act.fetchFromPage(page, 'POST', '/v1/tenants/csrf/roles', { name: 'Welcome' }, true);
  expect(withToken.status).toBe(201);
});

test('sign-out ends the session on the server', async ({ page, playwright, baseURL }) => {
  await act.signIn(page);
  await check.signedIn(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'portcullis_session');
  expect(cookie).toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Strict');
  await act.signOut(page);
  await check.onSignInPage(page);
  // The same cookie, replayed from elsewhere, opens nothing.
  const replay = await playwright.request.newContext({ baseURL });
  const response = await replay.get('/v1/session', { headers: { cookie: `portcullis_session=${cookie!.value}` } });
  expect(response.status()).toBe(401);
  await replay.dispose();
  // And the console sends a signed-out visitor to the sign-in page.
  await page.goto('/console');
  await check.onSignInPage(page);
});

test('the playground asks as AuthZEN and shows what the ids map to', async ({ page, request }) => {
  await setup.tenant(request, 'zen');
  await setup.put(request, '/v1/tenants/zen/roles/viewer', { name: 'Viewer', permissions: [{ action: 'can_read' }] });
  await setup.put(request, '/v1/tenants/zen/records/readers', {
    name: 'Readers', users: ['ada'], statements: [{ roles: ['viewer'], resources: ['/doc/*'] }],
  });
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/zen/playground');
  await act.fill(page, 'Subject id', 'ada');
  await act.fill(page, 'Resource type', 'doc');
  await act.fill(page, 'Resource id', 'a b');
  await act.fill(page, 'Action name', 'can_read');
  await find.button(page, 'Ask as AuthZEN').click();
  // The mapping, then the explained answer under the names it maps to.
  await expect(page.locator('.authzen-mapping')).toContainText('(user, ada) on (doc, a b)');
  await expect(page.locator('.authzen-mapping')).toContainText('/doc/a~20b');
  await check.allowedBy(page, 'readers');
  // A question without a resource type is refused, naming the field.
  await act.fill(page, 'Resource type', '');
  await find.button(page, 'Ask as AuthZEN').click();
  await expect(find.alert(page)).toContainText('the check is not well formed');
  await expect(find.fieldError(page)).toContainText('resource.type');
});

test('the playground asks with a user\'s identity token and says whom it named', async ({ page, request }) => {
  await setup.tenant(request, 'tok');
  const tokenFor = await setup.issuer(request, 'tok');
  await setup.put(request, '/v1/tenants/tok/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await setup.put(request, '/v1/tenants/tok/records/ada-reads', {
    name: 'Ada reads', users: ['ada'], statements: [{ roles: ['viewer'], resources: ['/docs'] }],
  });
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/tok/playground');
  await act.fill(page, 'Identity token (JWT)', tokenFor('ada'));
  await act.fill(page, 'Resource to check', '/docs/d1');
  await act.fill(page, 'Permission to check', 'documents:read');
  await find.button(page, 'Check with the token').click();
  await expect(page.locator('.token-user')).toContainText('The token names user ada.');
  await check.allowedBy(page, 'ada-reads');
  // The token is not put in the page's address.
  expect(page.url()).not.toContain(tokenFor('ada').split('.')[0]);
  // Bob's token: denied, and it says why.
  await act.fill(page, 'Identity token (JWT)', tokenFor('bob'));
  await find.button(page, 'Check with the token').click();
  await expect(page.locator('.token-user')).toContainText('The token names user bob.');
  await expect(find.verdict(page)).toHaveText('Denied');
  // A token this tenant's issuers did not sign is refused in plain words, naming the field.
  await act.fill(page, 'Identity token (JWT)', 'not-a-token');
  await find.button(page, 'Check with the token').click();
  await expect(find.alert(page)).toContainText('token_malformed');
  await expect(find.fieldError(page)).toContainText('userToken');
  // A refused token is not a session that ended: no "Sign in again".
  await expect(find.alert(page)).not.toContainText('Sign in again');
});

test('a record\'s roles, groups, users and resources are picked as they are typed, and a typo is said before saving', async ({ page, request }) => {
  await setup.tenant(request, 'picks');
  for (const role of ['editor', 'editorial', 'viewer']) {
    await setup.put(request, `/v1/tenants/picks/roles/${role}`, { name: role, permissions: [{ action: 'documents:read' }] });
  }
  await setup.put(request, '/v1/tenants/picks/groups/support', { name: 'Support', users: ['ada', 'adam'] });
  await setup.put(request, '/v1/tenants/picks/resources/%2Fdocs%2Fhandbook', { name: 'Handbook' });
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/picks/records/_new');
  const suggested = (label: string) => page.getByRole('group', { name: label });

  // Roles: what starts with what is typed, completed by a click, the list going on.
  const roles = page.getByLabel('Roles of statement 1');
  await roles.fill('ed');
  await expect(suggested('roles starting with ed').getByRole('button')).toHaveText(['editor', 'editorial']);
  await act.screenshot(page, 'record-picker');
  await suggested('roles starting with ed').getByRole('button', { name: 'editor', exact: true }).click();
  await expect(roles).toHaveValue('editor, ');
  // A typo is said at once, not on save.
  await roles.fill('editor, vw');
  await expect(page.locator('.suggest-none')).toContainText('No role starts with “vw”');
  await roles.fill('editor, vi');
  await suggested('roles starting with vi').getByRole('button', { name: 'viewer' }).click();
  await expect(roles).toHaveValue('editor, viewer, ');

  // Groups and users, one per line; a known resource.
  await act.fill(page, 'Groups (ids, one per line)', 'sup');
  await suggested('groups starting with sup').getByRole('button', { name: 'support' }).click();
  await expect(find.field(page, 'Groups (ids, one per line)')).toHaveValue('support\n');
  await act.fill(page, 'Users (ids, one per line)', 'bob\nad');
  await expect(suggested('users starting with ad').getByRole('button')).toHaveText(['ada', 'adam']);
  await suggested('users starting with ad').getByRole('button', { name: 'adam' }).click();
  await expect(find.field(page, 'Users (ids, one per line)')).toHaveValue('bob\nadam\n');
  const resources = page.getByLabel('Resources of statement 1');
  await resources.fill('/docs/h');
  await suggested('resources starting with /docs/h').getByRole('button', { name: '/docs/handbook' }).click();
  await expect(resources).toHaveValue('/docs/handbook, ');

  // What was picked is what is saved.
  await act.fill(page, 'Record id', 'picked');
  await act.fill(page, 'Name', 'Picked');
  await act.save(page);
  await expect(page).toHaveURL(/\/records\/picked$/);
  const record = await setup.get(request, '/v1/tenants/picks/records/picked');
  expect(record.statements).toEqual([{ roles: ['editor', 'viewer'], resources: ['/docs/handbook'] }]);
  expect(record.groups).toEqual(['support']);
  expect(record.users).toEqual(['bob', 'adam']);

  // A role's actions: those the tenant's roles already name.
  await act.open(page, '/console/t/picks/roles/_new');
  await find.button(page, 'Add permission').click();
  const action = page.getByLabel('Action of permission 1');
  await action.fill('doc');
  await suggested('actions starting with doc').getByRole('button', { name: 'documents:read' }).click();
  await expect(action).toHaveValue('documents:read');
  await action.fill('reports:');
  await expect(page.locator('.suggest-none')).toContainText('No role names an action that starts with “reports:” yet.');

  // The playground's question: the user and the permission, picked.
  await act.open(page, '/console/t/picks/playground');
  await act.fill(page, 'User', 'ad');
  await suggested('users starting with ad').getByRole('button', { name: 'adam' }).click();
  await expect(find.field(page, 'User')).toHaveValue('adam');
  await act.fill(page, 'Permission', 'documents:r');
  await suggested('actions starting with documents:r').getByRole('button', { name: 'documents:read' }).click();
  await expect(find.field(page, 'Permission')).toHaveValue('documents:read');
});

test('on a phone every section of a tenant is in reach, and a wide list scrolls instead of being cut', async ({ page, request }) => {
  await setup.tenant(request, 'phone');
  await setup.put(request, '/v1/tenants/phone/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await setup.put(request, '/v1/tenants/phone/records/a-record-with-a-rather-long-identifier', {
    name: 'A record whose name is long enough to need the room', users: ['ada-lovelace', 'grace-hopper'],
    statements: [{ roles: ['viewer'], resources: ['/projects/apollo/documents/handbook'] }],
  });
  await page.setViewportSize({ width: 390, height: 800 });
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/phone/records');
  // Every link of the tenant's navigation lies inside the screen, none past its edge.
  const links = page.getByRole('navigation', { name: 'tenant' }).getByRole('link');
  expect(await links.count()).toBeGreaterThanOrEqual(11);
  for (const link of await links.all()) {
    const box = await link.boundingBox();
    expect(box, await link.innerText()).not.toBeNull();
    expect(box!.x, await link.innerText()).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, await link.innerText()).toBeLessThanOrEqual(390);
  }
  await page.getByRole('navigation', { name: 'tenant' }).getByRole('link', { name: 'Members' }).click();
  await expect(page).toHaveURL(/\/t\/phone\/members$/);
  // The records table is wider than the phone: it scrolls within its card, and its last
  // column can be brought into view.
  await act.open(page, '/console/t/phone/records');
  const table = page.locator('.content table');
  const { scrollWidth, clientWidth } = await table.evaluate((t) => ({ scrollWidth: t.scrollWidth, clientWidth: t.clientWidth }));
  expect(scrollWidth).toBeGreaterThan(clientWidth);
  expect(clientWidth).toBeLessThanOrEqual(390);
  const last = table.locator('th').last();
  await last.scrollIntoViewIfNeeded();
  const box = await last.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await act.screenshot(page, 'records-scrolled-390');
});

test('a new tenant\'s first steps lead to a working check, pasted from the new key\'s page', async ({ page, request }) => {
  await setup.tenant(request, 'first');
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/first');
  const steps = page.getByRole('region', { name: 'First steps' });
  await expect(steps).toContainText('First steps (0 of 4 done)');

  // Step 2 from its link: a role.
  await steps.getByRole('link', { name: 'New role' }).click();
  await expect(page).toHaveURL(/\/t\/first\/roles\/_new$/);
  await page.waitForSelector('body[data-hydrated="true"]');
  await act.fill(page, 'Role id', 'reader');
  await act.fill(page, 'Name', 'Reader');
  await find.button(page, 'Add permission').click();
  await page.getByLabel('Action of permission 1').fill('documents:read');
  await act.save(page);
  await expect(page).toHaveURL(/\/roles\/reader$/);
  await act.open(page, '/console/t/first');
  await expect(steps).toContainText('First steps (1 of 4 done)');

  // A record, then a key: its page shows a check with the key, which answers as pasted.
  await setup.put(request, '/v1/tenants/first/records/ada-reads', {
    name: 'Ada reads the handbook', users: ['ada'], statements: [{ roles: ['reader'], resources: ['/docs/handbook'] }],
  });
  await act.open(page, '/console/t/first/api-keys');
  await act.fill(page, 'Name', 'my app');
  await find.button(page, 'Create key').click();
  const snippet = page.getByTestId('check-snippet');
  await expect(snippet).toContainText('/v1/tenants/first/check');
  const secret = (await page.locator('.secret-value').innerText()).trim();
  await expect(snippet).toContainText(`Bearer ${secret}`);
  await expect(snippet).toContainText('"userId":"ada"');
  const answer = JSON.parse(execSync(await snippet.innerText(), { encoding: 'utf8', shell: '/bin/bash' }));
  expect(answer.allowed).toBe(true);
  await act.screenshot(page, 'new-key-snippet');

  // Someone to run it: every step done, and the list of steps leaves the overview.
  await setup.account(request, 'first', 'fiona', 'fiona owner passphrase', 'owner');
  await act.open(page, '/console/t/first');
  await expect(page.locator('.stat').first()).toBeVisible();
  await expect(steps).toHaveCount(0);
});

test('every page runs under a nonce Content-Security-Policy, with nothing of its own refused and an injected script blocked', async ({ page, request }) => {
  await setup.tenant(request, 'csp');
  await setup.put(request, '/v1/tenants/csp/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await setup.put(request, '/v1/tenants/csp/records/ada-reads', {
    name: 'Ada reads', users: ['ada'], statements: [{ roles: ['viewer'], resources: ['/docs'] }],
  });
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  const response = await page.goto('/console/login');
  const policy = response!.headers()['content-security-policy'];
  expect(policy).toContain("script-src 'self' 'nonce-");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).not.toContain("'unsafe-eval'");
  expect(policy).toContain("frame-ancestors 'none'");
  // The page's own inline scripts carry that response's nonce.
  const nonce = /'nonce-([^']+)'/.exec(policy)![1];
  const scripts = await page.locator('script').evaluateAll((all) => all.map((s) => (s as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  for (const n of scripts) expect(n).toBe(nonce);
  // Signed in, around the console: every page hydrates and works under the policy.
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/csp/records/ada-reads');
  await expect(find.field(page, 'Name')).toHaveValue('Ada reads');
  await act.check(page, 'csp', 'ada', '/docs/d1', 'documents:read');
  await check.allowedBy(page, 'ada-reads');
  await act.open(page, '/console/t/csp/audit');
  await expect(page.locator('.event').first()).toBeVisible();
  expect(refused).toEqual([]);
  // A script injected without the nonce does not run.
  await page.addScriptTag({ content: 'window.__injected = true;' }).catch(() => undefined);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  expect(refused.length).toBeGreaterThan(0);
});

test('lists keep up with the day: a new tenant in the switcher, expired records, every field error of a question', async ({ page, request }) => {
  await setup.tenant(request, 'daily');
  await setup.put(request, '/v1/tenants/daily/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await setup.put(request, '/v1/tenants/daily/records/lapsed', {
    name: 'Lapsed', users: ['ada'], statements: [{ roles: ['viewer'], resources: ['/docs'] }], expiresAt: '2020-01-01T00:00:00Z',
  });
  await setup.put(request, '/v1/tenants/daily/records/current', {
    name: 'Current', users: ['ada'], statements: [{ roles: ['viewer'], resources: ['/docs'] }],
  });
  await act.signIn(page);
  await check.signedIn(page);

  // A tenant created in the console is in the switcher at once, without a reload.
  await act.open(page, '/console/admin/tenants');
  const switcher = page.getByLabel('Tenant', { exact: true });
  await expect(switcher.locator('option[value="daily"]')).toHaveCount(1);
  await expect(switcher.locator('option[value="brand-new"]')).toHaveCount(0);
  await act.fill(page, 'Tenant id', 'brand-new');
  await act.fill(page, 'Name', 'Brand new');
  await find.button(page, 'Create tenant').click();
  await expect(switcher.locator('option[value="brand-new"]')).toHaveCount(1);

  // An expired record says so in the list (an active one does not), and its form warns.
  await act.open(page, '/console/t/daily/records');
  await expect(page.getByRole('row', { name: /lapsed/ }).locator('.badge')).toHaveText('expired');
  await expect(page.getByRole('row', { name: /current/ }).locator('.badge')).toHaveText('active');
  await act.open(page, '/console/t/daily/records/lapsed');
  await expect(page.locator('.warning')).toContainText('This time has passed');
  await act.open(page, '/console/t/daily/records/current');
  await expect(find.field(page, 'Name')).toHaveValue('Current');
  await expect(page.locator('.warning')).toHaveCount(0);

  // A malformed question lists each field the server refused, not only its summary.
  await act.check(page, 'daily', 'ada', 'docs', 'documents:*');
  await expect(find.alert(page)).toContainText('resourceUri');
  await expect(find.alert(page)).toContainText('permission');

  // Audit filter mistakes are said in words, naming the filter; a mistyped kind too.
  await act.open(page, '/console/t/daily/audit?from=yesterday');
  await expect(find.alert(page)).toContainText('from');
  await expect(find.alert(page)).toContainText('is not an RFC 3339 timestamp');
  await expect(find.alert(page)).not.toContainText('deserialize');
  await act.open(page, '/console/t/daily/audit?targetKind=rol');
  await expect(find.alert(page)).toContainText('is not a kind of object');
});

test('a member\'s tenant card shows the tenant\'s name once, and its id', async ({ page, request }) => {
  await setup.tenant(request, 'named');
  await setup.account(request, 'named', 'mia', 'mia member passphrase', 'viewer');
  await act.signIn(page, 'mia', 'mia member passphrase');
  await check.signedIn(page);
  const card = page.locator('.tenant-card');
  await expect(card).toHaveCount(1);
  await expect(card.locator('strong')).toHaveText('Tenant named');
  await expect(card.locator('.tenant-id')).toHaveText('named');
  // A tenant the account does not belong to shows no role badge (and the page says why).
  await act.open(page, '/console/t/elsewhere');
  await expect(page.locator('.tenant-name .badge')).toHaveCount(0);
  await expect(find.alert(page).first()).toContainText('does not exist');
  await act.open(page, '/console/t/named');
  await expect(page.locator('.tenant-name .badge')).toHaveText('viewer');
});

test('who may do it on a resource pages past 200 holders, and says when more follow', async ({ page, request }) => {
  await setup.tenant(request, 'crowd');
  await setup.put(request, '/v1/tenants/crowd/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  const users = Array.from({ length: 260 }, (_, i) => `u${String(i).padStart(3, '0')}`);
  await setup.put(request, '/v1/tenants/crowd/groups/everyone', { name: 'Everyone', users });
  await setup.put(request, '/v1/tenants/crowd/records/all-read', {
    name: 'All read', groups: ['everyone'], statements: [{ roles: ['viewer'], resources: ['/project'] }],
  });
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/crowd/explorer?resource=%2Fproject%2Fplan&permission=documents%3Aread');
  const holders = page.getByRole('region', { name: 'who reaches the resource' });
  await expect(holders.locator('tbody tr')).toHaveCount(200);
  await expect(holders).toContainText('200 on this page; more on the next page');
  await expect(holders.locator('tbody tr').first()).toContainText('u000');
  await holders.getByRole('link', { name: 'Next page »' }).click();
  await expect(holders.locator('tbody tr')).toHaveCount(60);
  await expect(holders.locator('tbody tr').first()).toContainText('u200');
  await expect(holders).toContainText('60 on this page.');
  await expect(holders.getByRole('link', { name: 'Next page »' })).toHaveCount(0);
});

test('a user\'s page shows what reaches them, and suspending them denies the next check', async ({ page, request }) => {
  await setup.tenant(request, 'people');
  await setup.put(request, '/v1/tenants/people/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await setup.put(request, '/v1/tenants/people/groups/support', { name: 'Support', users: ['ada', 'bob'] });
  await setup.put(request, '/v1/tenants/people/records/ada-own', {
    name: 'Ada reads drafts', users: ['ada'], statements: [{ roles: ['viewer'], resources: ['/drafts'] }],
  });
  await setup.put(request, '/v1/tenants/people/records/support-docs', {
    name: 'Support reads docs', groups: ['support'], statements: [{ roles: ['viewer'], resources: ['/docs'] }],
  });
  await setup.put(request, '/v1/tenants/people/records/elsewhere', {
    name: 'Not Ada', users: ['carol'], statements: [{ roles: ['viewer'], resources: ['/docs'] }],
  });
  await act.signIn(page);
  await check.signedIn(page);

  // The user's page: their group, and both records that reach them with the way they do.
  await act.open(page, '/console/t/people/users/ada');
  const reach = page.getByRole('region', { name: 'what reaches this user' });
  await expect(reach).toContainText('Member of: support Support');
  await expect(reach.locator('tbody tr')).toHaveCount(2);
  await expect(reach.getByRole('row', { name: /ada-own/ })).toContainText('directly');
  await expect(reach.getByRole('row', { name: /support-docs/ })).toContainText('group support');
  await expect(reach).not.toContainText('elsewhere');
  // The explorer with only the user answers the same, instead of nothing.
  await find.link(page, 'Open this user in the access explorer').click();
  await expect(page).toHaveURL(/explorer\?user=ada$/);
  await expect(page.getByRole('region', { name: 'what reaches this user' }).locator('tbody tr')).toHaveCount(2);

  await act.check(page, 'people', 'ada', '/docs/handbook', 'documents:read');
  await check.allowedBy(page, 'support-docs');

  // Suspend Ada with a reason: the list says so, the next check denies and says why.
  await act.open(page, '/console/t/people/users/ada');
  await find.field(page, 'Suspended (every decision for this user is a deny, from the next request on)').check();
  await act.fill(page, 'Reason for the status', 'laptop stolen');
  await act.save(page);
  await check.saved(page);
  await act.open(page, '/console/t/people/users');
  await expect(page.getByRole('row', { name: /ada/ }).locator('.badge')).toHaveText('suspended');
  await expect(page.getByRole('row', { name: /bob/ }).locator('.badge')).toHaveText('active');
  await act.check(page, 'people', 'ada', '/docs/handbook', 'documents:read');
  await expect(page.locator('.decision')).toContainText('Denied');
  await expect(page.locator('.decision')).toContainText('This user is suspended');
  await act.check(page, 'people', 'bob', '/docs/handbook', 'documents:read');
  await check.allowedBy(page, 'support-docs');
  // The audit log keeps the reason with the change.
  const events = await setup.get(request, '/v1/tenants/people/audit?targetKind=user&targetId=ada');
  expect(events.items[0].after.statusReason).toBe('laptop stolen');
  // The audit page says it as a sentence, and shows only what changed.
  await act.open(page, '/console/t/people/audit?targetKind=user&targetId=ada');
  const newest = page.locator('.event').first();
  await expect(newest.locator('summary')).toContainText('changed user ada: status, statusReason.');
  await newest.locator('summary').click();
  await expect(newest.locator('table.diff tbody tr')).toHaveCount(2);
  await expect(newest.locator('table.diff')).toContainText('laptop stolen');
  await expect(newest).toContainText('other fields kept their values');

  // Reactivating gives back exactly what she had.
  await act.open(page, '/console/t/people/users/ada');
  await expect(find.field(page, 'Reason for the status')).toHaveValue('laptop stolen');
  await find.field(page, 'Suspended (every decision for this user is a deny, from the next request on)').uncheck();
  await act.fill(page, 'Reason for the status', '');
  await act.save(page);
  await check.saved(page);
  await act.check(page, 'people', 'ada', '/docs/handbook', 'documents:read');
  await check.allowedBy(page, 'support-docs');

  // Sign Ada out everywhere: the instant is stored and shown, and a later save that
  // changes only her name keeps it (a save must not undo a sign-out).
  await act.open(page, '/console/t/people/users/ada');
  await expect(page.getByTestId('tokens-not-before')).toHaveCount(0);
  await find.field(page, 'Sign out everywhere on save (refuse every identity token issued before the save)').check();
  await act.save(page);
  await check.saved(page);
  const signedOut = (await setup.get(request, '/v1/tenants/people/users/ada')).tokensNotBefore;
  expect(Date.parse(signedOut)).toBeGreaterThan(Date.now() - 60_000);
  await act.open(page, '/console/t/people/users/ada');
  await expect(page.getByTestId('tokens-not-before')).toContainText('Identity tokens issued before');
  await act.fill(page, 'Name', 'Ada Lovelace');
  await act.save(page);
  await check.saved(page);
  const after = await setup.get(request, '/v1/tenants/people/users/ada');
  expect(after.name).toBe('Ada Lovelace');
  expect(after.tokensNotBefore).toBe(signedOut);
});

test('a tenant admin registers an identity issuer, seeing every mistake of a save at once', async ({ page, request }) => {
  await setup.tenant(request, 'idp');
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/idp/issuers');
  await expect(page.locator('main')).toContainText('No issuers yet');
  await find.link(page, 'New issuer').click();
  await page.waitForSelector('body[data-hydrated="true"]');
  // Nothing filled in but a plain-HTTP URL: every field's mistake, at once, beside it.
  await act.fill(page, 'JWKS URL', 'http://idp.example/jwks.json');
  await act.save(page);
  const errorOf = (label: string) => page.locator('.field', { has: find.field(page, label) }).locator('.field-error');
  for (const label of ['Name', 'Issuer (iss)', 'Audiences (one per line)', 'RS256', 'JWKS URL']) {
    await expect(errorOf(label)).toHaveCount(1);
  }
  // Pasted keys that are not JSON are named too (both key sources given: one error).
  await act.fill(page, 'Name', 'Acme Auth0');
  await act.fill(page, 'Issuer (iss)', 'https://acme.eu.auth0.com/');
  await act.fill(page, 'Audiences (one per line)', 'https://api.acme.example\nmobile');
  await act.fill(page, 'JWKS URL', '');
  await act.fill(page, 'Keys (a JWKS document)', '{not json');
  await find.field(page, 'RS256').check();
  await act.save(page);
  await expect(errorOf('Keys (a JWKS document)')).toHaveCount(1);
  await act.fill(page, 'Keys (a JWKS document)', '');
  await act.fill(page, 'JWKS URL', 'https://acme.eu.auth0.com/.well-known/jwks.json');
  await act.save(page);
  await check.saved(page);
  const listed = await setup.get(request, '/v1/tenants/idp/issuers');
  expect(listed.items).toHaveLength(1);
  expect(listed.items[0].audiences).toEqual(['https://api.acme.example', 'mobile']);
  expect(listed.items[0].algorithms).toEqual(['RS256']);
  await act.open(page, '/console/t/idp/issuers');
  await expect(page.getByRole('row', { name: /Acme Auth0/ })).toContainText('https://acme.eu.auth0.com/.well-known/jwks.json');
  await expect(page.getByRole('row', { name: /Acme Auth0/ })).toContainText('RS256');
});

test('a record a user shared through /me/records shows who made it', async ({ page, request }) => {
  await setup.tenant(request, 'shares');
  // An issuer with a P-256 key made here, and a token for ada signed with it.
  const token = (await setup.issuer(request, 'shares'))('ada');
  // Ada may grant reading on p1; she shares a document with bob.
  await setup.put(request, '/v1/tenants/shares/roles/owner', { name: 'Owner', permissions: [{ action: 'documents:read', grant: true }] });
  await setup.put(request, '/v1/tenants/shares/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await setup.put(request, '/v1/tenants/shares/records/ada-owns', {
    name: 'Ada owns p1', users: ['ada'], statements: [{ roles: ['owner'], resources: ['/p1'] }],
  });
  const shared = await request.post('/v1/tenants/shares/me/records', {
    headers: { authorization: `Bearer ${token}` },
    data: { recordId: 'bob-reads-d1', name: 'Bob reads d1', users: ['bob'], statements: [{ roles: ['viewer'], resources: ['/p1/d1'] }] },
  });
  expect(shared.status()).toBe(201);

  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/shares/records');
  await expect(page.getByRole('row', { name: /bob-reads-d1/ })).toContainText('made by user ada');
  await expect(page.getByRole('row', { name: /ada-owns/ })).not.toContainText('made by user');
  await act.open(page, '/console/t/shares/records/bob-reads-d1');
  await expect(page.getByTestId('delegated-by')).toContainText('Made by user ada');
  // The audit log names her as the one who made it.
  await act.open(page, '/console/t/shares/audit?targetKind=record&targetId=bob-reads-d1');
  await expect(page.locator('.event').first().locator('summary')).toContainText('User ada (with their identity token) created record bob-reads-d1');
});

test('the only platform admin cannot delete their own account, and is told why', async ({ page }) => {
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/admin/accounts');
  const own = page.getByRole('row', { name: new RegExp(admin.username) });
  await own.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(own).toContainText('Delete your own account');
  await own.getByRole('button', { name: 'Confirm: delete' }).click();
  await expect(find.alert(page)).toContainText('only platform admin account');
  // Still there, still signed in.
  await act.open(page, '/console/admin/accounts');
  await check.signedIn(page);
  await expect(page.getByRole('row', { name: new RegExp(admin.username) })).toHaveCount(1);
});

test('the explorer asks one question at a time and says through which record, role and group', async ({ page, request }) => {
  await setup.tenant(request, 'explore');
  await setup.put(request, '/v1/tenants/explore/roles/viewer', { name: 'Viewer', permissions: [{ action: 'documents:read' }] });
  await setup.put(request, '/v1/tenants/explore/roles/editor', { name: 'Editor', permissions: [{ action: 'documents:*' }] });
  await setup.put(request, '/v1/tenants/explore/groups/support', { name: 'Support', users: ['ada'] });
  await setup.put(request, '/v1/tenants/explore/records/r-direct', {
    name: 'Ada reads docs', users: ['ada'], statements: [{ roles: ['viewer'], resources: ['/docs'] }],
  });
  await setup.put(request, '/v1/tenants/explore/records/r-group', {
    name: 'Support edits the handbook', groups: ['support'], statements: [{ roles: ['editor'], resources: ['/docs/handbook'] }],
  });
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/t/explore/explorer');
  const user = find.field(page, 'User');
  const resource = find.field(page, 'Resource');
  const permission = find.field(page, 'Permission');

  // What may this user do here: only the user and the resource are asked for.
  await page.getByLabel('What may this user do here?').check();
  await expect(permission).toBeHidden();
  await user.fill('ada');
  await resource.fill('/docs/handbook/p1');
  await find.button(page, 'Ask').click();
  await expect(page).toHaveURL(/question=what/);
  const effective = page.getByRole('region', { name: 'effective permissions' });
  await expect(effective.getByRole('row', { name: /documents:\*/ })).toContainText('record r-group, role editor, via group support');
  await expect(effective.getByRole('row', { name: /documents:read/ })).toContainText('record r-direct, role viewer, via user ada');
  // The names are links to what they name.
  await effective.getByRole('link', { name: 'editor', exact: true }).click();
  await expect(page).toHaveURL(/\/console\/t\/explore\/roles\/editor$/);
  await page.goBack();

  // Where may this user do this: the resource is not asked for.
  await page.getByLabel('Where may this user do this?').check();
  await expect(resource).toBeHidden();
  await expect(permission).toBeVisible();
  await permission.fill('documents:read');
  await find.button(page, 'Ask').click();
  await expect(page).toHaveURL(/question=where/);
  await expect(page).not.toHaveURL(/resource=/);
  const reachable = page.getByRole('region', { name: 'reachable resources' });
  await expect(reachable.locator('tbody tr')).toHaveCount(2);
  await expect(reachable.getByRole('row', { name: /\/docs\/handbook/ })).toContainText('record r-group, via group support');
  await expect(reachable.locator('tbody tr').first()).toContainText('record r-direct, via user ada');
  await expect(page.getByRole('region', { name: 'effective permissions' }).locator('table')).toHaveCount(0);

  // Who may do this here: the user is not asked for; each holder with every record.
  await page.getByLabel('Who may do this here?').check();
  await expect(user).toBeHidden();
  await resource.fill('/docs/handbook/p1');
  await find.button(page, 'Ask').click();
  const holders = page.getByRole('region', { name: 'who reaches the resource' });
  await expect(holders.locator('tbody tr')).toHaveCount(1);
  await expect(holders.getByRole('row', { name: /ada/ })).toContainText('record r-direct, via user ada');
  await expect(holders.getByRole('row', { name: /ada/ })).toContainText('record r-group, via group support');
  await expect(page.getByRole('region', { name: 'reachable resources' }).locator('table')).toHaveCount(0);
  await act.screenshot(page, 'explorer-who');
});

// A tenant admin's whole job, end to end, through the console only: the platform admin opens
// a tenant for a law firm and hands it to its admin; she models the firm, answers "who can
// read this case, and why", takes a leaver's access away, gives the case system a key, and
// reads back what she did; then checks the same from her phone.
test('a law firm\'s admin does a whole day\'s work in the console', async ({ page }) => {
  // The platform admin: a tenant, an account, and that account made the tenant's admin.
  await act.signIn(page);
  await check.signedIn(page);
  await act.open(page, '/console/admin/tenants');
  await act.fill(page, 'Tenant id', 'casefile');
  await act.fill(page, 'Name', 'Casefile LLP');
  await find.button(page, 'Create tenant').click();
  await expect(page.getByRole('row', { name: /casefile/ })).toContainText('Casefile LLP');
  await act.open(page, '/console/admin/accounts');
  await act.fill(page, 'Username', 'priya');
  await act.fill(page, 'Password (12 characters or more)', 'priya runs the casefile tenant');
  await find.button(page, 'Create account').click();
  await expect(page.getByRole('row', { name: /priya/ })).toBeVisible();
  await act.open(page, '/console/t/casefile/members');
  // The account is picked as it is typed (a platform admin may list accounts).
  await find.field(page, 'Account username').pressSequentially('pri');
  const accounts = page.getByRole('group', { name: 'accounts starting with pri' });
  await expect(accounts.getByRole('button')).toHaveText(['priya']);
  await accounts.getByRole('button', { name: 'priya' }).click();
  await expect(find.field(page, 'Account username')).toHaveValue('priya');
  await page.getByLabel('Role', { exact: true }).selectOption('admin');
  await find.button(page, 'Add or change').click();
  await expect(page.getByRole('row', { name: /priya/ })).toBeVisible();
  await act.signOut(page);

  // Priya signs in: her tenant is there, with her role and its first steps.
  await act.signIn(page, 'priya', 'priya runs the casefile tenant');
  await check.signedIn(page);
  await page.getByRole('link', { name: /Casefile LLP/ }).first().click();
  await expect(page.locator('.tenant-name .badge')).toHaveText('admin');
  await expect(page.getByRole('region', { name: 'First steps' })).toContainText('1 of 4 done');

  // Roles: a reader of cases, and counsel, who may do anything to a case.
  for (const [id, name, action] of [['reader', 'Reader', 'cases:read'], ['counsel', 'Counsel', 'cases:*']]) {
    await act.open(page, '/console/t/casefile/roles/_new');
    await act.fill(page, 'Role id', id);
    await act.fill(page, 'Name', name);
    await find.button(page, 'Add permission').click();
    await page.getByLabel('Action of permission 1').fill(action);
    await act.save(page);
    await expect(page).toHaveURL(new RegExp(`/roles/${id}$`));
  }
  // The litigation team, and who gets what: the team is counsel on case c-100, the
  // paralegal reads every case.
  await act.open(page, '/console/t/casefile/groups/_new');
  await act.fill(page, 'Group id', 'litigation');
  await act.fill(page, 'Name', 'Litigation');
  await act.fill(page, 'Members (user ids, one per line)', 'omar\nlena');
  await act.save(page);
  await expect(page).toHaveURL(/\/groups\/litigation$/);
  for (const [id, name, who, role, resource] of [
    ['litigation-c100', 'Litigation on case 100', ['Groups (ids, one per line)', 'litigation'], 'counsel', '/cases/c-100'],
    ['paralegal-reads', 'The paralegal reads every case', ['Users (ids, one per line)', 'sam'], 'reader', '/cases'],
  ]) {
    await act.open(page, '/console/t/casefile/records/_new');
    await act.fill(page, 'Record id', id as string);
    await act.fill(page, 'Name', name as string);
    await act.fill(page, (who as string[])[0], (who as string[])[1]);
    await page.getByLabel('Roles of statement 1').fill(role as string);
    await page.getByLabel('Resources of statement 1').fill(resource as string);
    await act.save(page);
    await expect(page).toHaveURL(new RegExp(`/records/${id}$`));
  }

  // Who can read case 100, and through what.
  await act.open(page, '/console/t/casefile/explorer');
  await page.getByLabel('Who may do this here?').check();
  await find.field(page, 'Resource').fill('/cases/c-100/brief');
  await find.field(page, 'Permission').fill('cases:read');
  await find.button(page, 'Ask').click();
  const holders = page.getByRole('region', { name: 'who reaches the resource' });
  await expect(holders.locator('tbody tr')).toHaveCount(3);
  await expect(holders.getByRole('row', { name: /lena/ })).toContainText('record litigation-c100, via group litigation');
  await expect(holders.getByRole('row', { name: /sam/ })).toContainText('record paralegal-reads, via user sam');
  // And what Omar may do there, and why he may edit the brief.
  await page.getByLabel('What may this user do here?').check();
  await find.field(page, 'User').fill('omar');
  await find.button(page, 'Ask').click();
  const effective = page.getByRole('region', { name: 'effective permissions' });
  await expect(effective.getByRole('row', { name: /cases:\*/ })).toContainText('record litigation-c100, role counsel, via group litigation');
  await act.check(page, 'casefile', 'omar', '/cases/c-100/brief', 'cases:edit');
  await check.allowedBy(page, 'litigation-c100');
  await expect(find.decision(page).getByRole('link', { name: 'counsel' })).toHaveAttribute('href', '/console/t/casefile/roles/counsel');

  // Omar leaves the firm: out of the group, and the very next check is denied.
  await act.open(page, '/console/t/casefile/groups/litigation');
  await act.fill(page, 'Members (user ids, one per line)', 'lena');
  await act.save(page);
  await check.saved(page);
  await act.check(page, 'casefile', 'omar', '/cases/c-100/brief', 'cases:edit');
  await check.deniedBecause(page, 'No access record names this user');

  // The case system gets a key that expires at the end of the engagement.
  await act.open(page, '/console/t/casefile/api-keys');
  await act.fill(page, 'Name', 'case system');
  await find.field(page, 'Expires (UTC, optional)').fill('2099-06-30T18:00');
  await find.button(page, 'Create key').click();
  await expect(page.locator('.secret')).toContainText('case system');
  await expect(page.getByTestId('check-snippet')).toContainText('/v1/tenants/casefile/check');

  // The audit log reads back the day, as sentences: filtered to the group, Omar's removal.
  await act.open(page, '/console/t/casefile/audit');
  await act.fill(page, 'Target id', 'litigation');
  await find.button(page, 'Filter').click();
  const events = page.locator('.event');
  await expect(events).toHaveCount(2);
  await expect(events.first()).toContainText('Account priya changed group litigation: users.');
  await events.first().locator('summary').click();
  await expect(events.first().locator('table.diff tbody tr')).toHaveCount(1);
  await expect(events.nth(1)).toContainText('Account priya created group litigation.');

  // From her phone: every section in reach, and the record list readable.
  await page.setViewportSize({ width: 390, height: 800 });
  await act.open(page, '/console/t/casefile/records');
  await expect(page.getByRole('row', { name: /paralegal-reads/ })).toContainText('reader on /cases');
  for (const section of ['Audit log', 'Members', 'Access explorer']) {
    const link = page.locator('.tenant-nav').getByRole('link', { name: section, exact: true });
    await expect(link).toBeInViewport();
  }
  await act.screenshot(page, 'whole-day-records-390');
});
