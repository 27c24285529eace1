// Screenshots of the main pages at desktop (1280 px) and phone (390 px) widths, saved to
// e2e/screenshots/ on every run for a person to look at.
import { expect, test } from '@playwright/test';
import { act, check, find, setup } from './console';

test('screenshots of the main pages', async ({ page, request }) => {
  await setup.tenant(request, 'showcase');
  await setup.put(request, '/v1/tenants/showcase/roles/editor', {
    name: 'Editor', description: 'Reads and edits documents',
    permissions: [{ action: 'documents:read' }, { action: 'documents:update', grant: true }],
  });
  await setup.put(request, '/v1/tenants/showcase/groups/support', { name: 'Support', users: ['ada', 'grace'] });
  await setup.put(request, '/v1/tenants/showcase/records/support-docs', {
    name: 'Support edits the handbook', groups: ['support'], users: ['linus'],
    statements: [{ roles: ['editor'], resources: ['/docs/handbook'] }],
  });
  await setup.put(request, '/v1/tenants/showcase/resources/%2Fdocs%2Fhandbook', { name: 'Handbook', description: 'The support handbook' });
  await setup.put(request, '/v1/tenants/showcase/users/ada', { name: 'Ada Lovelace', email: 'ada@example.com' });
  await setup.account(request, 'showcase', 'olivia', 'olivia owner passphrase', 'owner');

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await act.open(page, '/console/login');
    await act.screenshot(page, `login-${width}`);
  }
  await act.signIn(page);
  await check.signedIn(page);
  const pages: [string, string, () => Promise<void>][] = [
    ['tenants', '/console', async () => {}],
    ['overview', '/console/t/showcase', async () => { await expect(page.locator('.stat').first()).toBeVisible(); }],
    ['roles', '/console/t/showcase/roles', async () => { await expect(page.locator('table')).toBeVisible(); }],
    ['role-editor', '/console/t/showcase/roles/editor', async () => { await expect(find.field(page, 'Name')).toHaveValue('Editor'); }],
    ['records', '/console/t/showcase/records', async () => { await expect(page.locator('table')).toBeVisible(); }],
    ['record-editor', '/console/t/showcase/records/support-docs', async () => { await expect(find.field(page, 'Name')).not.toHaveValue(''); }],
    ['groups', '/console/t/showcase/groups/support', async () => { await expect(find.field(page, 'Name')).toHaveValue('Support'); }],
    ['resources', '/console/t/showcase/resources', async () => { await expect(page.locator('table')).toBeVisible(); }],
    ['users', '/console/t/showcase/users', async () => { await expect(page.locator('table')).toBeVisible(); }],
    ['playground', '/console/t/showcase/playground?user=ada&resource=%2Fdocs%2Fhandbook%2Fp1&permission=documents%3Aread',
      async () => { await expect(find.verdict(page)).toHaveText('Allowed'); }],
    ['explorer', '/console/t/showcase/explorer?question=who&user=ada&resource=%2Fdocs%2Fhandbook&permission=documents%3Aupdate',
      async () => { await expect(page.getByRole('heading', { name: /Who may/ })).toBeVisible(); }],
    ['audit', '/console/t/showcase/audit', async () => {
      await page.locator('.event summary').first().click();
      await expect(page.locator('table.diff').first()).toBeVisible();
    }],
    ['members', '/console/t/showcase/members', async () => { await expect(page.locator('table')).toBeVisible(); }],
    ['admin-tenants', '/console/admin/tenants', async () => { await expect(page.locator('table')).toBeVisible(); }],
    ['admin-accounts', '/console/admin/accounts', async () => { await expect(page.locator('table')).toBeVisible(); }],
  ];
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    for (const [name, path, ready] of pages) {
      await act.open(page, path);
      await ready();
      await act.screenshot(page, `${name}-${width}`);
    }
    // A key's secret, shown once.
    await act.open(page, '/console/t/showcase/api-keys');
    await act.fill(page, 'Name', `checkout ${width}`);
    await find.button(page, 'Create key').click();
    await expect(page.locator('.secret-value')).toContainText('pc_');
    await act.screenshot(page, `api-keys-${width}`);
  }
});
