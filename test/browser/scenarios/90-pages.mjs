// The page scenarios: every page the nav reaches, screenshotted at each
// viewport and checked by axe-core. See README.md here.

import { viewports } from '../harness.mjs';

// screenshots: the sign-in page and every page the nav links to, at each
// viewport, into the output folder; each page answers, has #main, throws
// no script error, and fits the phone's width.
async function screenshots(h) {
  const { page } = await h.signIn();
  const paths = await h.navPaths(page);
  h.log(`the nav reaches ${paths.join(', ')}`);
  let saved = 0;
  const slowest = { ms: 0, what: '' };
  for (const [view, opts] of Object.entries(viewports)) {
    if (!h.cfg.noSignIn) {
      const anon = await h.context(opts);
      const { page: signinPage } = await h.open(anon, '/signin');
      await h.screenshot(signinPage, view, '/signin');
      saved++;
    }
    const { ctx } = await h.signIn(undefined, opts);
    for (const path of paths) {
      try {
        const { page: p } = await h.open(ctx, path);
        await p.waitForLoadState('networkidle');
        h.check(await p.locator('#main').count() === 1, `${view} ${path}: no #main`);
        if (opts.isMobile) {
          const [scroll, client] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
          h.check(scroll <= client, `${view} ${path}: the page is ${scroll}px wide on a ${client}px screen`);
        }
        // Informational only: the issue asks for pages under 1 s, but a
        // test never asserts a time.
        const ms = await p.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0]?.duration || 0));
        if (ms > slowest.ms) Object.assign(slowest, { ms, what: `${view} ${path}` });
        await h.screenshot(p, view, path);
        saved++;
        await p.close();
      } catch (err) {
        h.check(false, `${view} ${path}: ${err.message.split('\n')[0]}`);
      }
    }
    for (const e of ctx.scriptErrors) h.check(false, `${view}: ${e}`);
  }
  h.log(`saved ${saved} screenshots in ${h.cfg.out}; the slowest page, ${slowest.what}, loaded in ${slowest.ms} ms`);
}

// accessibility: axe-core in the sign-in page and every page of the nav, in
// light and dark; a serious or critical violation fails.
async function accessibility(h) {
  const { page } = await h.signIn();
  const paths = await h.navPaths(page);
  const checked = [];
  for (const scheme of ['light', 'dark']) {
    const opts = { ...viewports.desktop, colorScheme: scheme };
    const targets = [];
    if (!h.cfg.noSignIn) targets.push({ ctx: await h.context(opts), path: '/signin' });
    const { ctx } = await h.signIn(undefined, opts);
    for (const path of paths) targets.push({ ctx, path });
    for (const { ctx: c, path } of targets) {
      try {
        const { page: p } = await h.open(c, path);
        await p.waitForLoadState('networkidle');
        for (const v of await h.axe(p)) h.check(false, `${path} (${scheme}): ${v}`);
        checked.push(`${path} (${scheme})`);
        await p.close();
      } catch (err) {
        h.check(false, `${path} (${scheme}): ${err.message.split('\n')[0]}`);
      }
    }
  }
  h.log(`axe-core checked ${checked.length} pages`);
}

// The scenarios by name, in the order they run.
export const scenarios = { screenshots, accessibility };
