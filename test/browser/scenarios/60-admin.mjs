// The pages that manage the server: connectors, management groups, access.
// See README.md here for how a scenario is written.

import { viewports } from '../harness.mjs';

const views = ['desktop', 'phone', 'desktop-dark'];

// shots saves the page at each viewport, signed in with token, and runs
// axe-core on it in light and dark.
async function shots(h, token, path, wait, as = path) {
  for (const view of views) {
    const { ctx } = await h.signIn(token, viewports[view]);
    const { page } = await h.open(ctx, path);
    await h.testid(page, wait);
    await page.waitForLoadState('networkidle');
    await h.screenshot(page, view, as);
    if (view !== 'phone') for (const v of await h.axe(page)) h.check(false, `${path} (${view}): ${v}`);
    else {
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      h.check(scroll <= client, `${path} on a phone is ${scroll}px wide on a ${client}px screen`);
    }
  }
}

// connector-wrong-external-id: an AWS connector created in the form with an
// external ID that is not the role's is verified at once, and the page shows
// FailedToAssumeRole with its fix in words; the external ID is nowhere in
// the page or a URL. Then the connector is deleted from its page.
async function connectorWrongExternalID(h) {
  const role = process.env.RECKON_AWS_ROLE_ARN;
  if (!role) h.skip('RECKON_AWS_ROLE_ARN is not set: the server has no emulated AWS role to verify against');
  const secret = `wrong-external-id-${Date.now().toString(36)}`;
  const name = `browser-wrong-id-${Date.now().toString(36)}`;
  const { ctx, page } = await h.signIn();
  const asked = [];
  ctx.on('request', (req) => asked.push(req.url()));
  await page.goto(h.url('/connectors'));
  await (await h.testid(page, 'connector-new')).click();
  await page.fill('[data-testid="f-name"]', name);
  await page.fill('[data-testid="f-role"]', role);
  await page.fill('[data-testid="f-external"]', secret);
  await page.fill('[data-testid="f-report"]', 'reckon');
  await (await h.testid(page, 'connector-create')).click();
  const failed = page.locator('[data-testid="check"][data-code="FailedToAssumeRole"]');
  await failed.waitFor().catch(async () => {
    const err = await page.locator('[data-testid="form-error"], #checks-status').allTextContents();
    throw new Error(`no FailedToAssumeRole check after creating the connector: ${err.join(' ').trim()}`);
  });
  const text = await failed.textContent();
  h.check(/external ID/.test(text), `the FailedToAssumeRole check says nothing of the external ID: "${text}"`);
  h.check(await page.locator(`[data-testid="connector-row"][data-name="${name}"]`).count() === 1, `${name} is not in the list after it was created`);
  await h.screenshot(page, 'desktop', '/connectors-verified');
  const html = await page.content();
  h.check(!html.includes(secret), 'the external ID appears in the page');
  h.check(!asked.some((u) => u.includes(secret)), 'the external ID appeared in a URL');
  h.check(await page.inputValue('[data-testid="f-external"]') === '', 'the external ID stays in the form after creating');

  await shots(h, undefined, `/connectors/${name}`, 'connector-props');
  await page.goto(h.url(`/connectors/${name}`));
  await h.testid(page, 'connector-props');
  h.check(!(await page.content()).includes(secret), 'the external ID appears on the connector\'s page');
  await page.fill('[data-testid="p-bucket"]', 'billing');
  await page.fill('[data-testid="p-prefix"]', 'cur');
  await (await h.testid(page, 'policy-show')).click();
  const trust = await page.locator('[data-testid="trust-json"]').filter({ hasText: 'sts:ExternalId' }).textContent()
    .catch(async () => { throw new Error(`no trust policy shown: ${await page.locator('[data-testid="policy-error"]').textContent()}`); });
  h.check(trust.includes('<EXTERNAL_ID>') && !trust.includes(secret), `the trust policy does not name <EXTERNAL_ID> in place of the secret: ${trust}`);
  const perms = await (await h.testid(page, 'permissions-json')).textContent();
  h.check(perms.includes('arn:aws:s3:::billing/cur/*') && perms.includes('cur:DescribeReportDefinitions'), `the permissions policy is not the report's: ${perms.slice(0, 300)}`);
  await (await h.testid(page, 'reconcile')).click();
  await page.locator('[data-testid="reconcile-status"]', { hasText: 'Nothing to compare' }).waitFor()
    .catch(async () => { throw new Error(`reconciling a connector with no cost: "${await page.locator('[data-testid="reconcile-status"]').textContent()}"`); });
  await h.screenshot(page, 'desktop', `/connectors/${name}-policies`);
  await (await h.testid(page, 'connector-collect')).click();
  const failing = await page.locator('[data-testid="connector-props"] [data-testid="collection-error"]').textContent()
    .catch(() => { throw new Error('a collection that cannot assume the role shows no error under Last collection'); });
  h.check(failing.startsWith('FailedToAssumeRole: ') && /Failing since/.test(failing), `the failed collection shows "${failing}"`);
  await h.screenshot(page, 'desktop', `/connectors/${name}-collected`);
  await (await h.testid(page, 'connector-verify')).click();
  await page.locator('[data-testid="check"][data-code="FailedToAssumeRole"]').waitFor()
    .catch(() => { throw new Error('Verify on the connector\'s page showed no FailedToAssumeRole'); });
  await (await h.testid(page, 'connector-edit')).click();
  await page.locator('[data-testid="connector-form"]').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="f-role"]').value !== '', null, { timeout: 15000 }).catch(() => {});
  h.check(await page.inputValue('[data-testid="f-external"]') === '', 'the edit form shows an external ID');
  h.check(await page.inputValue('[data-testid="f-role"]') === role, 'the edit form does not show the role ARN');
  await page.fill('[data-testid="f-display"]', 'Renamed in the browser');
  await (await h.testid(page, 'connector-create')).click();
  await page.locator('#page-title', { hasText: 'Renamed in the browser' }).waitFor()
    .catch(async () => { throw new Error(`the edit did not rename the connector: ${await page.locator('[data-testid="form-error"]').textContent()}`); });
  await (await h.testid(page, 'connector-delete')).click();
  await Promise.all([page.waitForURL((u) => u.pathname === '/connectors'), (await h.testid(page, 'confirm-ok')).click()]);
  const left = (await h.api('GET', '/api/v1/connectors')).value.map((c) => c.id);
  h.check(!left.includes(`connectors/${name}`), `${name} is still listed after Delete`);
}

// source-credential-not-found: an Azure export source made in the form
// names an environment variable the server does not have; verification
// says CredentialNotFound in words, and the source's page shows the
// variable's name, never a secret, and no AWS panels.
async function sourceCredentialNotFound(h) {
  const stamp = Date.now().toString(36);
  const name = `browser-exports-${stamp}`;
  const env = `RECKON_BROWSER_UNSET_${stamp.toUpperCase()}`;
  const { page } = await h.signIn();
  await page.goto(h.url('/connectors'));
  await (await h.testid(page, 'connector-new')).click();
  await page.check('[data-testid="kind-azure"]');
  h.check(await page.locator('[data-testid="f-role"]').isHidden(), 'the AWS fields show for a source');
  await page.fill('[data-testid="f-name"]', name);
  await page.fill('[data-testid="f-url"]', 'https://reckonbrowser.blob.core.windows.net');
  await page.fill('[data-testid="f-container"]', 'exports');
  await page.fill('[data-testid="f-prefix"]', 'daily');
  await page.fill('[data-testid="f-env"]', env);
  await (await h.testid(page, 'connector-create')).click();
  const check = await page.locator('[data-testid="check"][data-code="CredentialNotFound"]').textContent()
    .catch(async () => { throw new Error(`no CredentialNotFound check: ${(await page.locator('[data-testid="form-error"], #checks-status').allTextContents()).join(' ')}`); });
  h.check(check.includes(env), `the check does not name the variable: "${check}"`);
  const row = await page.locator(`[data-testid="connector-row"][data-name="${name}"]`).textContent();
  h.check(row.includes('Azure export source') && row.includes('Found in its data'), `the list row of the source: "${row}"`);
  await shots(h, undefined, `/connectors/${name}`, 'connector-props', '/connectors-source');
  await page.goto(h.url(`/connectors/${name}`));
  const props = await (await h.testid(page, 'connector-props')).textContent();
  h.check(props.includes(`environment variable ${env}`), `the source's settings do not name its variable: "${props}"`);
  h.check(await page.locator('#policy-panel').isHidden() && await page.locator('#reconcile-panel').isHidden(), 'a source shows the AWS panels');
  await h.api('DELETE', `/api/v1/connectors/${name}`);
}

// move-two-accounts: in a group created on the page, two accounts are
// moved with their checkboxes in one move; the API agrees; the group,
// not empty, cannot be deleted and the page says why; then they go back
// and the empty group is deleted from the page.
async function moveTwoAccounts(h) {
  const group = `browser-moves-${Date.now().toString(36)}`;
  const before = (await h.api('GET', '/api/v1/scopes')).value;
  const accounts = before.filter((s) => s.kind === 'LinkedAccount' && s.group).slice(0, 2);
  h.must(accounts.length === 2, `the demo has ${accounts.length} linked accounts in groups, want 2`);
  const { page } = await h.signIn();
  await page.goto(h.url('/groups'));
  await (await h.testid(page, 'group-new')).click();
  await page.fill('[data-testid="group-id"]', group);
  await page.fill('[data-testid="group-name"]', 'Browser moves, first name');
  await (await h.testid(page, 'group-create')).click();
  await page.locator(`[data-testid="group-node"][data-scope="mg/${group}"]`).waitFor();
  await page.locator(`[data-testid="group-node"][data-scope="mg/${group}"] [data-testid="group-rename"]`).first().click();
  await page.fill('[data-testid="rename-name"]', 'Browser moves');
  await page.press('[data-testid="rename-name"]', 'Enter');
  await page.locator(`[data-testid="group-node"][data-scope="mg/${group}"] .name`, { hasText: /^Browser moves$/ }).first().waitFor()
    .catch(() => { throw new Error('renaming the group with Enter in the dialog did not rename it'); });
  const rule = await (await h.testid(page, 'move-rule')).textContent();
  h.check(/all or nothing/.test(rule), `the page does not state the all-or-nothing rule: "${rule}"`);
  for (const a of accounts) await page.check(`[data-testid="move-check"][value="${a.id}"]`);
  await page.selectOption('[data-testid="move-target"]', `mg/${group}`);
  h.check((await (await h.testid(page, 'move-count')).textContent()).startsWith('2 '), 'the move bar does not count 2 selected');
  await (await h.testid(page, 'move')).click();
  await page.locator('[data-testid="move-status"]', { hasText: 'Moved 2' }).waitFor();
  for (const a of accounts) {
    await page.locator(`[data-testid="group-node"][data-scope="mg/${group}"] [data-scope="${a.id}"]`).waitFor()
      .catch(() => { throw new Error(`${a.id} is not shown in mg/${group} after the move`); });
  }
  const after = new Map((await h.api('GET', '/api/v1/scopes')).value.map((s) => [s.id, s.group]));
  for (const a of accounts) h.check(after.get(a.id) === `mg/${group}`, `${a.id} is in ${after.get(a.id)} by the API, want mg/${group}`);
  await h.screenshot(page, 'desktop', '/groups-moved');

  const node = page.locator(`[data-testid="group-node"][data-scope="mg/${group}"]`);
  await node.locator('[data-testid="group-delete"]').first().click();
  await (await h.testid(page, 'confirm-ok')).click();
  const refusal = await page.locator('[data-testid="error"]').filter({ hasText: 'was not deleted' }).textContent()
    .catch(() => { throw new Error('deleting a group that is not empty showed no refusal'); });
  h.check(refusal.length > 30, `the refusal is not in words: "${refusal}"`);
  h.log(`deleting a non-empty group: "${refusal.trim()}"`);

  for (const a of accounts) await h.api('POST', `/api/v1/managementGroups/${a.group.replace('mg/', '')}/children`, { scopes: [a.id] });
  await page.reload();
  await node.locator('[data-testid="group-delete"]').first().click();
  await (await h.testid(page, 'confirm-ok')).click();
  await node.waitFor({ state: 'detached' }).catch(() => { throw new Error(`the empty group mg/${group} is still shown after Delete`); });
}

// reader-admin-pages: a Reader of one linked account sees the tree and the
// access of their account with no change offered, the rule that linked
// accounts do not inherit from the billing account in words, and a change
// sent anyway is refused in words.
async function readerAdminPages(h) {
  if (!h.cfg.readerToken || !h.cfg.readerScope) h.skip('no Reader (RECKON_READER_TOKEN, RECKON_READER_SCOPE)');
  const { page } = await h.signIn(h.cfg.readerToken);
  await page.goto(h.url('/groups'));
  await page.locator(`[data-testid="scope-node"][data-scope="${h.cfg.readerScope}"]`).waitFor();
  for (const id of ['group-rename', 'group-delete', 'move-check']) {
    h.check(await page.locator(`[data-testid="${id}"]`).count() === 0, `the Reader is offered ${id} on /groups`);
  }
  h.check(await page.locator('[data-testid="group-new"]').isHidden(), 'the Reader is offered to create a group');
  h.check(await page.locator('[data-testid="move"]').isHidden(), 'the Reader is offered the move bar');
  h.check(/change none/.test(await (await h.testid(page, 'reader-note')).textContent()), 'the Reader is not told why nothing can change');

  const path = `/access?scope=${h.cfg.readerScope}`;
  await page.goto(h.url(path));
  await h.testid(page, 'access-rules');
  await page.locator('[data-testid="assignment"][data-user="browser-reader"]').first().waitFor()
    .catch(() => { throw new Error('the Reader\'s own assignment is not listed'); });
  h.check(await page.locator('[data-testid="assign-form"]').isHidden(), 'the Reader is offered the form to assign roles');
  h.check(await page.locator('[data-testid="assignment-remove"]').count() === 0, 'the Reader is offered Remove');
  h.check(/needs Owner/.test(await (await h.testid(page, 'owner-note')).textContent()), 'the Reader is not told that access needs Owner');
  const rule = await (await h.testid(page, 'rule-billing')).textContent();
  h.check(/do not inherit from the consolidated \(billing\) account/.test(rule), `the billing-account rule is not in words: "${rule}"`);
  const refused = await page.evaluate(async (scope) => {
    const { api } = await import(document.querySelector('meta[name="reckon-static"]').content + '/js/api.js');
    try { await api('POST', '/api/v1/roleAssignments', { user: 'browser-reader', role: 'Owner', scope }); return ''; } catch (e) { return `${e.status} ${e.message}`; }
  }, h.cfg.readerScope);
  h.check(/^403 .{20,}/.test(refused), `a Reader's assignment sent anyway: "${refused || 'accepted'}"`);
  h.log(`a Reader's change is refused: "${refused}"`);
  await shots(h, h.cfg.readerToken, '/groups', 'group-tree', '/reader/groups');
  await shots(h, h.cfg.readerToken, path, 'access-rules', '/reader/access');
}

// move-refused: a move the API refuses for one account moves none, and
// the page says why. A Contributor of two groups and of one account in
// them selects two accounts; before Move, one group's assignment is
// removed, so one account may still move and the other not.
async function moveRefused(h) {
  const user = `browser-mover-${Date.now().toString(36)}`;
  const scopes = (await h.api('GET', '/api/v1/scopes')).value;
  const dev = scopes.filter((s) => s.kind === 'LinkedAccount' && s.group === 'mg/development').slice(0, 2);
  h.must(dev.length === 2, `mg/development holds ${dev.length} linked accounts, want 2`);
  await h.api('POST', '/api/v1/users', { name: user });
  const assign = (role, scope) => h.api('POST', '/api/v1/roleAssignments', { user, role, scope });
  await assign('Contributor', 'mg/development');
  await assign('Contributor', 'mg/production');
  await assign('Contributor', dev[0].id);
  const { token } = await h.api('POST', `/api/v1/users/${user}/tokens`);
  const { page } = await h.signIn(token);
  await page.goto(h.url('/groups'));
  await h.testid(page, 'move-check');
  for (const a of dev) await page.check(`[data-testid="move-check"][value="${a.id}"]`);
  await page.selectOption('[data-testid="move-target"]', 'mg/production');
  await h.api('DELETE', '/api/v1/roleAssignments?' + new URLSearchParams({ user, role: 'Contributor', scope: 'mg/development' }));
  await (await h.testid(page, 'move')).click();
  const refusal = await page.locator('[data-testid="move-error"]').filter({ hasText: 'Nothing moved' }).textContent()
    .catch(() => { throw new Error('a refused move showed no "Nothing moved" in words'); });
  h.log(`a refused move: "${refusal.trim()}"`);
  const after = new Map((await h.api('GET', '/api/v1/scopes')).value.map((s) => [s.id, s.group]));
  for (const a of dev) h.check(after.get(a.id) === 'mg/development', `${a.id} moved to ${after.get(a.id)} although the move was refused`);
  await h.screenshot(page, 'desktop', '/groups-refused');
  await h.api('DELETE', '/api/v1/roleAssignments?' + new URLSearchParams({ user, role: 'Contributor', scope: 'mg/production' }));
  await h.api('DELETE', '/api/v1/roleAssignments?' + new URLSearchParams({ user, role: 'Contributor', scope: dev[0].id }));
}

// assign-and-remove: an Owner adds a Reader on a group on /access, sees it
// inherited on an account inside the group, and removes it; a user that
// does not exist is refused in words.
async function assignAndRemove(h) {
  const scopes = (await h.api('GET', '/api/v1/scopes')).value;
  const inside = scopes.find((s) => s.kind === 'LinkedAccount' && s.group === 'mg/production');
  h.must(inside, 'mg/production holds no linked account');
  const user = 'browser-reader';
  const { page } = await h.signIn();
  await page.goto(h.url('/access?scope=mg/production'));
  await h.testid(page, 'assign-form');
  await page.fill('[data-testid="assign-user"]', 'nobody-at-all');
  await (await h.testid(page, 'assign')).click();
  const refused = await page.locator('[data-testid="assign-error"]').filter({ hasText: 'nobody-at-all' }).textContent()
    .catch(() => { throw new Error('assigning a role to a user that does not exist showed no refusal'); });
  h.check(/does not exist/.test(refused), `the refusal is "${refused}"`);
  await page.fill('[data-testid="assign-user"]', user);
  await page.selectOption('[data-testid="assign-role"]', 'Reader');
  await (await h.testid(page, 'assign')).click();
  const row = page.locator(`[data-testid="direct-assignments"] [data-testid="assignment"][data-user="${user}"][data-role="Reader"]`);
  await row.waitFor().catch(() => { throw new Error(`${user} is not listed on mg/production after Assign`); });
  await page.goto(h.url('/access?scope=' + encodeURIComponent(inside.id)));
  await page.locator(`[data-testid="inherited-assignments"] [data-testid="assignment"][data-user="${user}"]`).waitFor()
    .catch(() => { throw new Error(`${inside.id} does not show ${user}'s Reader inherited from mg/production`); });
  const from = await page.locator(`[data-testid="inherited-assignments"] [data-user="${user}"]`).first().textContent();
  h.check(from.includes('mg/production'), `the inherited row does not say where from: "${from}"`);
  h.check(/do not inherit from the consolidated/.test(await (await h.testid(page, 'rule-billing')).textContent()), 'the billing-account rule is not stated on a linked account');
  await shots(h, undefined, '/access?scope=' + inside.id, 'inherited-assignments', '/access-linked-account');
  await page.goto(h.url('/access?scope=mg/production'));
  await row.locator('[data-testid="assignment-remove"]').click();
  await (await h.testid(page, 'confirm-ok')).click();
  await row.waitFor({ state: 'detached' }).catch(() => { throw new Error(`${user}'s Reader on mg/production is still listed after Remove`); });
  const left = (await h.api('GET', '/api/v1/roleAssignments?scope=mg/production')).value;
  h.check(!left.some((a) => a.user === user), `the API still has ${user} on mg/production`);
}

// The scenarios by name, in the order they run.
export const scenarios = {
  'connector-wrong-external-id': connectorWrongExternalID,
  'source-credential-not-found': sourceCredentialNotFound,
  'move-two-accounts': moveTwoAccounts,
  'reader-admin-pages': readerAdminPages,
  'move-refused': moveRefused,
  'assign-and-remove': assignAndRemove,
};
