// The harness the scenarios share: configuration from the environment,
// Debian's chromium, a fresh browser context per scenario, sign-in, the
// nav's pages, screenshots and axe-core. A scenario receives one Harness
// and throws (or calls h.fail / h.skip) to say what went wrong, in words.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The flags that work on this project's machines: without the
// background-networking ones chromium dials Google's hosts at every start.
export const chromiumFlags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

// Viewports of the screenshots: a laptop, a phone, and the laptop in dark mode.
export const viewports = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  'desktop-dark': { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' },
};

// A wait for an element or a navigation gives up after this long; nothing
// sleeps for a fixed time.
export const waitMS = 15000;

/** Skip is thrown by h.skip: the scenario cannot run here, which is no failure. */
export class Skip extends Error {}

/** config reads the environment the Go test (or a person) sets. */
export function config(env = process.env) {
  const base = (env.RECKON_URL || '').replace(/\/+$/, '');
  if (!base) throw new Error('RECKON_URL is not set: the base URL of a running reckon serve, e.g. http://127.0.0.1:8080');
  return {
    base,
    adminToken: env.RECKON_ADMIN_TOKEN || '',
    readerToken: env.RECKON_READER_TOKEN || '',
    readerScope: env.RECKON_READER_SCOPE || '',
    out: env.RECKON_BROWSER_OUT || mkdtempSync(join(tmpdir(), 'reckon-browser-')),
    chromium: env.RECKON_CHROMIUM || '/usr/bin/chromium',
    // The harness's own test serves static pages that need no sign-in.
    noSignIn: env.RECKON_BROWSER_NO_SIGNIN === '1',
    start: env.RECKON_START || '/',
  };
}

/**
 * launch starts chromium headless. Playwright gives each launch a fresh
 * temporary --user-data-dir and removes it on close.
 */
export async function launch(cfg) {
  return chromium.launch({ executablePath: cfg.chromium, headless: true, args: chromiumFlags });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Harness is what a scenario is given. */
export class Harness {
  constructor(cfg, browser, name) {
    this.cfg = cfg;
    this.browser = browser;
    this.name = name;
    this.contexts = [];
    this.problems = [];
  }

  /** url makes a path absolute on the server. */
  url(path) { return new URL(path, this.cfg.base + '/').href; }

  /** log prints a line under the scenario's name. */
  log(msg) { console.log(`  ${this.name}: ${msg}`); }

  /** skip ends the scenario as skipped. */
  skip(reason) { throw new Skip(reason); }

  /** check records a failure and goes on; the scenario fails at its end. */
  check(ok, msg) { if (!ok) this.problems.push(msg); return ok; }

  /** must throws unless ok. */
  must(ok, msg) { if (!ok) throw new Error(msg); }

  /** context opens a browser context that records the page's script errors. */
  async context(opts = viewports.desktop) {
    const ctx = await this.browser.newContext({ ...opts, baseURL: this.cfg.base });
    ctx.setDefaultTimeout(waitMS);
    ctx.scriptErrors = [];
    ctx.on('page', (page) => watchErrors(page, ctx.scriptErrors));
    this.contexts.push(ctx);
    return ctx;
  }

  /** open goes to a path in a new page of ctx and fails in words on an error status. */
  async open(ctx, path) {
    const page = await ctx.newPage();
    const resp = await page.goto(this.url(path), { waitUntil: 'load' });
    if (!resp) throw new Error(`GET ${path} gave no response`);
    if (resp.status() >= 400) {
      throw new Error(`GET ${path} answered ${resp.status()}${resp.status() === 404 ? ' (the page is not there yet)' : ''}`);
    }
    return { page, resp };
  }

  /** signInPage opens /signin and checks its form is the contract's. */
  async signInPage(ctx) {
    const page = await ctx.newPage();
    const resp = await page.goto(this.url('/signin'), { waitUntil: 'load' });
    if (!resp || resp.status() !== 200) {
      throw new Error(`GET /signin answered ${resp ? resp.status() : 'nothing'}: no sign-in page; is the web UI (internal/web) served by this reckon serve?`);
    }
    const form = page.locator('form[method="post" i][action="/signin"]');
    this.must(await form.count() === 1, 'the sign-in page has no <form method="post" action="/signin">');
    this.must(await page.locator('input#token[type="password"][name="token"]').count() === 1,
      'the sign-in form has no <input type="password" name="token" id="token">');
    this.must(await page.locator('button#signin').count() === 1, 'the sign-in form has no <button id="signin">');
    return page;
  }

  /**
   * signIn signs in with the token (the admin's by default) in a fresh
   * context and returns it with the page it landed on, which has #main.
   * In the harness's own test (no sign-in) it opens the start page instead.
   */
  async signIn(token = this.cfg.adminToken, opts = viewports.desktop) {
    const ctx = await this.context(opts);
    if (this.cfg.noSignIn) {
      const { page } = await this.open(ctx, this.cfg.start);
      return { ctx, page };
    }
    if (!token) this.skip('no token to sign in with (RECKON_ADMIN_TOKEN or RECKON_READER_TOKEN)');
    const page = await this.signInPage(ctx);
    await page.fill('#token', token);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/signin'), page.click('#signin')]).catch(async () => {
      const alert = await page.locator('[role="alert"]').first().textContent().catch(() => '');
      throw new Error(`signing in stayed on ${new URL(page.url()).pathname}${alert ? `: "${alert.trim()}"` : ''}`);
    });
    await page.locator('#main').waitFor().catch(() => { throw new Error(`signed in, landed on ${page.url()} without #main`); });
    return { ctx, page };
  }

  /**
   * navPaths lists the same-origin pages the page's <nav> links to (its
   * own path first), without query or fragment duplicates.
   */
  async navPaths(page) {
    const here = new URL(page.url());
    const hrefs = await page.$$eval('nav a[href]', (as) => as.map((a) => a.href));
    const seen = new Set([here.pathname + here.search]);
    for (const href of hrefs) {
      const u = new URL(href);
      if (u.origin === here.origin && !u.pathname.startsWith('/api/')) seen.add(u.pathname + u.search);
    }
    return [...seen];
  }

  /** screenshot saves the whole page as <out>/<view>-<slug of path>.png. */
  async screenshot(page, view, path) {
    mkdirSync(this.cfg.out, { recursive: true });
    const file = join(this.cfg.out, `${view}-${slug(path)}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  /**
   * axe runs axe-core in the page and returns its serious and critical
   * violations in words, one string each. It runs through the DevTools
   * protocol, so the page's CSP, which forbids inline script, still holds.
   */
  async axe(page) {
    const result = await page.evaluate(`${axeSource}\n;axe.run(document, { resultTypes: ['violations'] })`);
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
      const more = v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : '';
      return `${v.id} (${v.impact}): ${v.help}, at ${where}${more}`;
    });
  }

  /**
   * api calls the JSON API outside the browser with a bearer token (the
   * admin's by default), for the numbers a page must agree with:
   * h.api('POST', '/api/v1/query', { scope: 'mg/root' }).
   */
  async api(method, path, body, token = this.cfg.adminToken) {
    const resp = await fetch(this.url(path), {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await resp.text();
    if (!resp.ok) throw new Error(`${method} ${path}: ${resp.status} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : null;
  }

  /**
   * testid waits for the element with data-testid="id" in the page and
   * returns its locator, or fails saying the hook is missing.
   */
  async testid(page, id) {
    const loc = page.locator(`[data-testid="${id}"]`).first();
    await loc.waitFor().catch(() => {
      throw new Error(`no [data-testid="${id}"] on ${new URL(page.url()).pathname}${new URL(page.url()).search} (not there yet?)`);
    });
    return loc;
  }

  /** download clicks the locator and returns the text of the file it downloads. */
  async download(page, locator) {
    const [dl] = await Promise.all([page.waitForEvent('download'), locator.click()])
      .catch((err) => { throw new Error(`clicking ${locator} downloaded nothing: ${err.message.split('\n')[0]}`); });
    return readFileSync(await dl.path(), 'utf8');
  }

  /** close ends the scenario's contexts. */
  async close() {
    for (const ctx of this.contexts) await ctx.close().catch(() => {});
  }
}

// watchErrors records uncaught exceptions and CSP refusals: a UI that
// works only with inline script breaks under its own policy.
function watchErrors(page, errors) {
  page.on('pageerror', (err) => errors.push(`${new URL(page.url()).pathname}: uncaught ${err.message.split('\n')[0]}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) errors.push(`${new URL(page.url()).pathname}: ${msg.text().split(/\.\s/)[0]}`);
  });
}

/** slug turns a path into a file name: /analysis?scope=mg/root → analysis_scope-mg-root. */
export function slug(path) {
  const s = path.replace(/^\/+/, '').replace(/\?/, '_').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
  return (s || 'home').slice(0, 80);
}
