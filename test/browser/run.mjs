// Runs the browser scenarios against a running reckon serve in Debian's
// chromium, driven by playwright-core (never a downloaded browser).
//
//   RECKON_URL=http://127.0.0.1:8080 RECKON_ADMIN_TOKEN=rkn_… node run.mjs [name…]
//
// Environment: RECKON_URL (required), RECKON_ADMIN_TOKEN, RECKON_READER_TOKEN
// and RECKON_READER_SCOPE (a Reader's, for the scenarios that need one),
// RECKON_BROWSER_OUT (the screenshots' folder; default a new temporary one),
// RECKON_SCENARIOS (comma-separated names; default all, or the arguments),
// RECKON_CHROMIUM (default /usr/bin/chromium), RECKON_BROWSER_NO_SIGNIN=1
// and RECKON_START (the harness's own test: static pages without sign-in).
//
// Prints one line per scenario, PASS name, FAIL name: reason (details
// indented below) or SKIP name: reason, and exits 1 when one failed, 2
// when the harness itself could not run.

import { readdirSync } from 'node:fs';
import { Harness, Skip, config, launch } from './harness.mjs';

// loadScenarios gathers the scenarios every scenarios/*.mjs exports, the
// files in name order (10-session.mjs before 90-pages.mjs).
async function loadScenarios() {
  const all = {};
  const dir = new URL('./scenarios/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
    const mod = await import(new URL(file, dir).href);
    for (const [name, fn] of Object.entries(mod.scenarios || {})) {
      if (all[name]) throw new Error(`two scenarios are named ${name} (the second in scenarios/${file})`);
      all[name] = fn;
    }
  }
  return all;
}

async function main() {
  const cfg = config();
  const scenarios = await loadScenarios();
  const wanted = process.argv.slice(2).length ? process.argv.slice(2)
    : (process.env.RECKON_SCENARIOS || '').split(',').map((s) => s.trim()).filter(Boolean);
  const names = wanted.length ? wanted : Object.keys(scenarios);
  const unknown = names.filter((n) => !scenarios[n]);
  if (unknown.length) {
    console.log(`FAIL harness: no scenario named ${unknown.join(', ')} (there are ${Object.keys(scenarios).join(', ')})`);
    return 2;
  }
  let browser;
  try {
    browser = await launch(cfg);
  } catch (err) {
    console.log(`FAIL harness: chromium did not start from ${cfg.chromium}: ${err.message.split('\n')[0]}`);
    return 2;
  }
  console.log(`chromium ${browser.version()} against ${cfg.base}; screenshots in ${cfg.out}`);
  const counts = { PASS: 0, FAIL: 0, SKIP: 0 };
  for (const name of names) {
    const verdict = await runOne(cfg, browser, name, scenarios[name]);
    counts[verdict]++;
  }
  await browser.close();
  console.log(`${counts.PASS} passed, ${counts.FAIL} failed, ${counts.SKIP} skipped`);
  return counts.FAIL ? 1 : 0;
}

// runOne runs a scenario in its own contexts and prints its verdict line.
async function runOne(cfg, browser, name, scenario) {
  const h = new Harness(cfg, browser, name);
  try {
    await scenario(h);
    if (h.problems.length === 0) {
      console.log(`PASS ${name}`);
      return 'PASS';
    }
    fail(name, h.problems);
    return 'FAIL';
  } catch (err) {
    if (err instanceof Skip) {
      console.log(`SKIP ${name}: ${err.message}`);
      return 'SKIP';
    }
    fail(name, [err.message.split('\n')[0], ...h.problems]);
    return 'FAIL';
  } finally {
    await h.close();
  }
}

function fail(name, problems) {
  console.log(`FAIL ${name}: ${problems[0]}`);
  for (const p of problems.slice(1)) console.log(`    ${p}`);
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.log(`FAIL harness: ${err.stack || err}`);
  process.exitCode = 2;
});
