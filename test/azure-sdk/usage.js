// Runs the official Azure Cost Management client, @azure/arm-costmanagement,
// against Reckon's Azure-compatible door, as a script written for Azure
// would: only the endpoint and the token differ. Prints, as JSON, each
// scope's columns, pages, rows and total cost.
//
// Environment:
//   RECKON_ENDPOINT  https://127.0.0.1:PORT (Reckon serving TLS; the SDK
//                    sends a bearer token over HTTPS only)
//   RECKON_TOKEN     a Reckon API token
//   RECKON_SCOPES    a JSON array of ARM scopes, e.g. ["subscriptions/<guid>"];
//                    "external:<type>/<id>" calls usageByExternalCloudProviderType
//   RECKON_BODY      the Azure query body, as JSON
//   RECKON_TOP       optional: a page size, sent as $top, to make the
//                    answer come in pages that the script follows
//   RECKON_FORECAST_BODY  optional: an Azure forecast body, as JSON; each
//                    scope's forecast rows are printed too
//   NODE_EXTRA_CA_CERTS  the certificate Reckon serves, to trust it
"use strict";

const { CostManagementClient } = require("@azure/arm-costmanagement");
const { createPipelineRequest, createHttpHeaders } = require("@azure/core-rest-pipeline");

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

const client = new CostManagementClient(credential, { endpoint: env("RECKON_ENDPOINT") });

// $top is not a parameter of query.usage: a pipeline policy adds it, as a
// caller of the original service could.
const top = process.env.RECKON_TOP;
if (top) {
  client.pipeline.addPolicy({
    name: "reckonTop",
    async sendRequest(request, next) {
      const url = new URL(request.url);
      if (!url.searchParams.has("$top")) {
        url.searchParams.set("$top", top);
        request.url = url.toString();
      }
      return next(request);
    },
  });
}

// model makes a wire body the SDK's model: it takes dates as Date objects
// and writes them in ISO 8601.
function model(wireBody) {
  const b = JSON.parse(JSON.stringify(wireBody));
  if (b.timePeriod) {
    b.timePeriod = { from: new Date(b.timePeriod.from), to: new Date(b.timePeriod.to) };
  }
  return b;
}

const wire = JSON.parse(env("RECKON_BODY"));
const body = model(wire);
const forecastBody = process.env.RECKON_FORECAST_BODY ? model(JSON.parse(process.env.RECKON_FORECAST_BODY)) : null;

// next reads a nextLink page through the client's own pipeline (bearer
// token, TLS, retries): query.usage has no pager, and Azure answers the
// same body posted to the link.
async function next(link) {
  const response = await client.sendRequest(
    createPipelineRequest({
      url: link,
      method: "POST",
      body: JSON.stringify(wire),
      headers: createHttpHeaders({ "content-type": "application/json", accept: "application/json" }),
    }),
  );
  if (response.status !== 200) {
    throw new Error(`POST ${link}: ${response.status} ${response.bodyAsText}`);
  }
  const page = JSON.parse(response.bodyAsText);
  return { columns: page.properties.columns, rows: page.properties.rows, nextLink: page.properties.nextLink };
}

async function run(scope) {
  let first;
  let method = "query.usage";
  if (scope.startsWith("external:")) {
    const [type, id] = scope.slice("external:".length).split("/");
    method = "query.usageByExternalCloudProviderType";
    first = await client.query.usageByExternalCloudProviderType(type, id, body);
  } else {
    first = await client.query.usage(scope, body);
  }
  const costColumn = first.columns.findIndex((c) => c.type === "Number" && c.name !== "UsageDate");
  let page = { columns: first.columns, rows: first.rows, nextLink: first.nextLink };
  let pages = 1;
  let rows = 0;
  let total = 0;
  for (;;) {
    rows += page.rows.length;
    for (const row of page.rows) total += row[costColumn];
    if (!page.nextLink) break;
    page = await next(page.nextLink);
    pages++;
  }
  const out = { scope, method, id: first.id, type: first.type, columns: first.columns, pages, rows, total };
  if (forecastBody) {
    const f = scope.startsWith("external:")
      ? await client.forecast.externalCloudProviderUsage(...scope.slice("external:".length).split("/"), forecastBody)
      : await client.forecast.usage(scope, forecastBody);
    out.forecast = { columns: f.columns, rows: f.rows };
  }
  return out;
}

(async () => {
  const results = [];
  for (const scope of JSON.parse(env("RECKON_SCOPES"))) {
    results.push(await run(scope));
  }
  process.stdout.write(JSON.stringify({ results }) + "\n");
})().catch((err) => {
  process.stderr.write(`${err.stack || err}\n${err.response ? err.response.bodyAsText : ""}\n`);
  process.exit(1);
});
