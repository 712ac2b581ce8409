// Runs the official Azure Consumption client, @azure/arm-consumption, against
// Reckon's Azure Budgets API, as a script written for Azure would: only the
// endpoint and the token differ. On each scope it creates a budget, reads
// it, lists the scope's budgets, replaces the budget with another amount
// (sending back the eTag it read), reads it again, lists again, deletes it,
// and reads it once more, which must fail. Prints what each step answered,
// as JSON.
//
// Environment:
//   RECKON_ENDPOINT  https://127.0.0.1:PORT (Reckon serving TLS; the SDK
//                    sends a bearer token over HTTPS only)
//   RECKON_TOKEN     a Reckon API token
//   RECKON_SCOPES    a JSON array of ARM scopes, e.g. ["subscriptions/<guid>"]
//   RECKON_BUDGET_NAME  the budget's name
//   RECKON_BUDGET    the budget's body as Azure's REST API takes it, as JSON
//                    ({"properties": {...}}); its dates are ISO 8601 strings
//   RECKON_AMOUNT2   the amount the second createOrUpdate sets
//   NODE_EXTRA_CA_CERTS  the certificate Reckon serves, to trust it
"use strict";

const { ConsumptionManagementClient } = require("@azure/arm-consumption");

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`set ${name}`);
  return v;
}

// A credential is any object with getToken: Reckon's API token is the
// bearer token.
const credential = {
  getToken: async () => ({ token: env("RECKON_TOKEN"), expiresOnTimestamp: Date.now() + 3600 * 1000 }),
};

// The v9 client takes a subscription ID, which its budget operations do
// not use (they take the scope); the all-zero GUID says so.
const client = new ConsumptionManagementClient(credential, "00000000-0000-0000-0000-000000000000", {
  endpoint: env("RECKON_ENDPOINT"),
});

// model makes the REST body the SDK's model: the properties flattened
// onto the budget, and the dates as Date objects (the SDK writes them in
// ISO 8601).
function model(wire) {
  const p = JSON.parse(JSON.stringify(wire.properties));
  p.timePeriod = {
    startDate: new Date(p.timePeriod.startDate),
    ...(p.timePeriod.endDate ? { endDate: new Date(p.timePeriod.endDate) } : {}),
  };
  return p;
}

// plain is what the SDK read, as JSON: dates in ISO 8601.
function plain(budget) {
  return JSON.parse(JSON.stringify(budget));
}

async function all(iter) {
  const out = [];
  for await (const b of iter) out.push(plain(b));
  return out;
}

async function run(scope, name, body, amount2) {
  const out = { scope };
  out.created = plain(await client.budgets.createOrUpdate(scope, name, body));
  const got = await client.budgets.get(scope, name);
  out.got = plain(got);
  out.list = await all(client.budgets.list(scope));
  // A replace as the SDK's samples write one: the budget read, changed,
  // and put back with its eTag (the read-only fields are not sent).
  got.amount = amount2;
  out.replaced = plain(await client.budgets.createOrUpdate(scope, name, got));
  out.gotAgain = plain(await client.budgets.get(scope, name));
  out.listAgain = await all(client.budgets.list(scope));
  await client.budgets.delete(scope, name);
  out.deleted = true;
  try {
    const ghost = await client.budgets.get(scope, name);
    out.afterDelete = { found: plain(ghost) };
  } catch (err) {
    out.afterDelete = {
      error: err.name,
      statusCode: err.statusCode,
      code: err.code,
      message: err.message,
    };
  }
  return out;
}

(async () => {
  const name = env("RECKON_BUDGET_NAME");
  const body = model(JSON.parse(env("RECKON_BUDGET")));
  const amount2 = Number(env("RECKON_AMOUNT2"));
  const results = [];
  for (const scope of JSON.parse(env("RECKON_SCOPES"))) {
    results.push(await run(scope, name, body, amount2));
  }
  process.stdout.write(JSON.stringify({ results }) + "\n");
})().catch((err) => {
  process.stderr.write(`${err.stack || err}\n${err.response ? err.response.bodyAsText : ""}\n`);
  process.exit(1);
});
