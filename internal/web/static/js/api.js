// The API as the pages call it: the session cookie authenticates, every
// change carries the page's CSRF token, costs stay exact decimal text.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? '';

// parseJSON keeps every JSON number as its source text, so that a cost
// is never rounded through a float (the API writes up to 18 places).
export function parseJSON(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === 'number' ? (context && context.source !== undefined ? context.source : String(value)) : value);
}

function signIn() {
  location.assign('/signin?next=' + encodeURIComponent(location.pathname + location.search));
}

// api calls the API. accept "text/csv" answers a Blob; otherwise the
// parsed JSON. Errors are ApiError with the server's message in words.
export async function api(method, path, body, accept = 'application/json') {
  const headers = { Accept: accept };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = meta('csrf-token');
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('The server could not be reached. Check that reckon serve is running, then try again.', 0);
  }
  if (res.status === 401) {
    signIn();
    throw new ApiError('Your session has ended: sign in again.', 401);
  }
  if (!res.ok) {
    let message = `The server answered ${res.status}.`;
    try {
      message = JSON.parse(await res.text()).error.message || message;
    } catch { /* not an API error body */ }
    throw new ApiError(message, res.status);
  }
  if (accept === 'text/csv') return res.blob();
  return parseJSON(await res.text());
}

// query sums costs: POST /api/v1/query with the scope and a QuerySpec.
export const query = (scope, spec) => api('POST', '/api/v1/query', { scope, ...spec });

// download saves a Blob as a file.
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
