// The session scenarios: signing in and out, the security headers, CSRF
// and a Reader's landing. See README.md here for how a scenario is written.

// signin: a wrong token shows an alert and no cookie; the admin's token
// lands on a page with #main and an HttpOnly, SameSite=Strict session
// cookie; the token is never in a URL the browser asked for.
async function signin(h) {
  const ctx = await h.context();
  const page = await h.signInPage(ctx);
  await page.fill('#token', 'rkn_not_a_token');
  await page.click('#signin');
  await page.locator('[role="alert"]').first().waitFor()
    .catch(() => { throw new Error(`a wrong token showed no [role="alert"] (now at ${page.url()})`); });
  h.check(!(await ctx.cookies()).some((c) => c.name === 'reckon_session'), 'a wrong token was given a reckon_session cookie');

  const asked = [];
  const signedIn = await h.context();
  signedIn.on('request', (req) => asked.push(req.url()));
  const form = await h.signInPage(signedIn);
  await form.fill('#token', h.cfg.adminToken);
  await Promise.all([form.waitForURL((u) => u.pathname !== '/signin'), form.click('#signin')])
    .catch(() => { throw new Error(`the admin's token stayed on ${form.url()}`); });
  await form.locator('#main').waitFor().catch(() => { throw new Error(`signed in, but ${form.url()} has no #main`); });
  const cookie = (await signedIn.cookies()).find((c) => c.name === 'reckon_session');
  h.must(cookie, `no reckon_session cookie after signing in (cookies: ${(await signedIn.cookies()).map((c) => c.name).join(', ') || 'none'})`);
  h.check(cookie.httpOnly, 'the reckon_session cookie is not HttpOnly');
  h.check(cookie.sameSite === 'Strict', `the reckon_session cookie is SameSite=${cookie.sameSite}, want Strict`);
  h.check(!asked.some((u) => u.includes(h.cfg.adminToken)), 'the token appeared in a URL the browser asked for');
  h.check(!(await form.evaluate(() => document.cookie)).includes('reckon_session'), 'a script can read the session cookie');
  h.log(`signed in, landed on ${new URL(form.url()).pathname}${new URL(form.url()).search}`);
}

// headers: the sign-in page and the landing page carry the security headers.
async function headers(h) {
  const { ctx, page } = await h.signIn();
  const signinResp = await (await ctx.newPage()).goto(h.url('/signin'));
  const landed = await (await ctx.newPage()).goto(page.url());
  for (const [what, resp] of [['/signin', signinResp], [new URL(page.url()).pathname, landed]]) {
    const hd = resp.headers();
    const csp = hd['content-security-policy'] || '';
    const scriptSrc = (csp.split(';').find((d) => /^\s*script-src\s/.test(d)) || csp.split(';').find((d) => /^\s*default-src\s/.test(d)) || '').trim();
    h.check(csp, `${what}: no Content-Security-Policy`);
    h.check(csp && scriptSrc && !/'unsafe-inline'|'unsafe-eval'/.test(scriptSrc), `${what}: the CSP allows inline script or has no script-src/default-src ("${csp}")`);
    h.check((hd['x-frame-options'] || '').toUpperCase() === 'DENY' || /frame-ancestors\s+'none'/.test(csp), `${what}: framing is not denied (X-Frame-Options "${hd['x-frame-options'] || ''}")`);
    h.check(hd['referrer-policy'], `${what}: no Referrer-Policy`);
    h.check((hd['x-content-type-options'] || '') === 'nosniff', `${what}: no X-Content-Type-Options: nosniff`);
  }
}

// csrf: from the signed-in page, a change through the API with the cookie
// but without X-CSRF-Token (or with a wrong one) is refused 403 and changes
// nothing; with the page's token it is accepted.
async function csrf(h) {
  const { page } = await h.signIn();
  const token = await page.locator('meta[name="csrf-token"]').getAttribute('content', { timeout: 2000 })
    .catch(() => { throw new Error(`${page.url()} has no <meta name="csrf-token">`); });
  h.must(token, '<meta name="csrf-token"> is empty');
  const id = `browser-csrf-${Date.now().toString(36)}`;
  const call = (method, path, csrfToken, body) => page.evaluate(async ({ method, path, csrfToken, body }) => {
    const headers = { 'Content-Type': 'application/json' };
    if (csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;
    const resp = await fetch(path, { method, headers, body: body && JSON.stringify(body), credentials: 'same-origin' });
    return { status: resp.status, text: (await resp.text()).slice(0, 200) };
  }, { method, path, csrfToken, body });
  const create = { id, name: 'CSRF check', parent: 'mg/root' };

  let r = await call('POST', '/api/v1/managementGroups', null, create);
  h.check(r.status === 403, `POST /api/v1/managementGroups without X-CSRF-Token: ${r.status}, want 403 (${r.text})`);
  r = await call('POST', '/api/v1/managementGroups', 'not-the-token', create);
  h.check(r.status === 403, `POST /api/v1/managementGroups with a wrong X-CSRF-Token: ${r.status}, want 403 (${r.text})`);
  r = await call('GET', '/api/v1/scopes', null);
  h.must(r.status === 200, `GET /api/v1/scopes with the cookie: ${r.status} (${r.text})`);
  const listed = await page.evaluate(async () => (await (await fetch('/api/v1/scopes')).json()));
  h.check(!JSON.stringify(listed).includes(`mg/${id}`), `the refused POST created mg/${id}`);

  r = await call('POST', '/api/v1/managementGroups', token, create);
  h.must(r.status === 201, `POST /api/v1/managementGroups with X-CSRF-Token: ${r.status}, want 201 (${r.text})`);
  r = await call('DELETE', `/api/v1/managementGroups/${id}`, null);
  h.check(r.status === 403, `DELETE without X-CSRF-Token: ${r.status}, want 403 (${r.text})`);
  r = await call('DELETE', `/api/v1/managementGroups/${id}`, token);
  h.check(r.status >= 200 && r.status < 300, `DELETE with X-CSRF-Token: ${r.status} (${r.text})`);
}

// signout: the sign-out button leads back to /signin, and the old cookie,
// put into a fresh context, no longer opens the API or a page.
async function signout(h) {
  const { ctx, page } = await h.signIn();
  const old = (await ctx.cookies()).filter((c) => c.name === 'reckon_session');
  h.must(old.length === 1, 'no reckon_session cookie to sign out of');
  h.must(await page.locator('form[action="/signout"] button#signout').count() === 1,
    `${page.url()} has no sign-out form (POST /signout with <button id="signout">)`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/signin'), page.click('#signout')])
    .catch(() => { throw new Error(`signing out did not lead to /signin (now at ${page.url()})`); });

  const replay = await h.context();
  await replay.addCookies(old);
  const me = await replay.request.get(h.url('/api/v1/me'));
  h.check(me.status() === 401, `GET /api/v1/me with the signed-out cookie: ${me.status()}, want 401`);
  const again = await replay.newPage();
  await again.goto(h.url('/'));
  h.check(new URL(again.url()).pathname === '/signin', `/ with the signed-out cookie showed ${again.url()}, want /signin`);
}

// reader: a Reader of one linked account (RECKON_READER_TOKEN, on
// RECKON_READER_SCOPE) signs in and lands on a page with #main; when the
// landing URL names a scope, it is the one the Reader may read.
async function reader(h) {
  if (!h.cfg.readerToken) h.skip('no RECKON_READER_TOKEN');
  const { page } = await h.signIn(h.cfg.readerToken);
  const scope = new URL(page.url()).searchParams.get('scope');
  h.check(!scope || !h.cfg.readerScope || scope === h.cfg.readerScope,
    `the Reader of ${h.cfg.readerScope} landed on ${page.url()}, a scope it may not read`);
  h.log(`the Reader landed on ${new URL(page.url()).pathname}${new URL(page.url()).search}`);
}

// keyboard: signing in needs no mouse (Tab to the token, type, Enter), and
// Tab alone reaches every link of the nav and the sign-out button.
async function keyboard(h) {
  const ctx = await h.context();
  const page = await h.signInPage(ctx);
  const focusedId = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  for (let i = 0; i < 30 && await focusedId() !== 'token'; i++) await page.keyboard.press('Tab');
  h.must(await focusedId() === 'token', 'Tab never reaches the token field of /signin');
  await page.keyboard.type(h.cfg.adminToken);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/signin'), page.keyboard.press('Enter')])
    .catch(() => { throw new Error('Enter in the token field did not sign in'); });
  await page.locator('#main').waitFor();
  const want = await page.$$eval('nav a[href], #signout', (els) => els.map((e) => e.id || e.getAttribute('href')));
  const reached = new Set();
  for (let i = 0; i < 200 && !want.every((w) => reached.has(w)); i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => { const a = document.activeElement; return a && (a.id || a.getAttribute('href')); });
    if (el) reached.add(el);
  }
  const missed = want.filter((w) => !reached.has(w));
  h.check(missed.length === 0, `Tab never reaches ${missed.join(', ')} on ${new URL(page.url()).pathname}`);
}

// The scenarios by name, in the order they run.
export const scenarios = { signin, headers, csrf, signout, reader, keyboard };
