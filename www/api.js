// The two moments the page talks to the API: loading a site's contracts once, and submitting
// a price. Every failure becomes a sentence a receptionist can act on (ApiError.message),
// keeping the API's OperationOutcome for the details.
export class ApiError extends Error {
  constructor(message, { status = 0, outcome = null } = {}) {
    super(message);
    this.status = status;
    this.outcome = outcome;
  }
}

/** The diagnostics of an OperationOutcome, joined. */
export function diagnostics(outcome) {
  return (outcome?.issue ?? []).map((i) => i.diagnostics).filter(Boolean).join(' ');
}
const code = (outcome) => outcome?.issue?.[0]?.details?.coding?.[0]?.code ?? '';

async function call(url, init, what) {
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(`Cannot reach the API at ${new URL(url, location.href).origin} to ${what}. Is it running (make dev)? Try again in a moment.`);
  }
  if (res.ok) return res;
  let outcome = null;
  try {
    outcome = await res.json();
  } catch {
    // not JSON: a proxy or a crash page; the status says enough
  }
  const detail = diagnostics(outcome);
  if (res.status === 401) {
    const expired = /expired/i.test(detail);
    throw new ApiError(expired
      ? 'Your access token has expired. Get a new one (make token) and sign in again.'
      : `The API did not accept the access token${detail ? `: ${detail}` : '.'} Check it and sign in again.`, { status: 401, outcome });
  }
  if (res.status === 403) throw new ApiError(`This token may not ${what}${detail ? `: ${detail}` : '.'}`, { status: 403, outcome });
  if (res.status >= 500) throw new ApiError(`The API failed to ${what} (${res.status}). Try again; if it keeps failing, report it.`, { status: res.status, outcome });
  throw new ApiError(detail || `The API refused to ${what} (${res.status}).`, { status: res.status, outcome });
}

const headers = (token, more = {}) => ({ authorization: `Bearer ${token}`, ...more });

/** The site's ContractBook snapshot (text) and its version. */
export async function loadSnapshot(site, token) {
  if (!token) throw new ApiError('Enter an access token to load contracts from the API (or try the demo data).');
  const res = await call(`/contract/site/${encodeURIComponent(site)}/$snapshot`, { headers: headers(token) }, `load the contracts of site ${site}`);
  const text = await res.text();
  return { text, version: res.headers.get('etag')?.replace(/^W\/"|"$/g, '') ?? '' };
}

/** The contracts API's discovery document: where to submit prices. */
export async function endpoints() {
  const res = await call('/contract/.well-known/api-configuration', {}, 'read the discovery document');
  return res.json();
}

/**
 * POSTs one price (the Contract's JSON text) through $contract-price (asking for the OperationOutcome, so the tariff's
 * warning comes back). Resolves to the server's verdict: accepted / accepted-with-warning /
 * rejected, with its message. Other failures throw ApiError.
 */
export async function submitPrice(url, token, bodyText) {
  try {
    const res = await call(url, {
      method: 'POST',
      headers: headers(token, { 'content-type': 'application/fhir+json', prefer: 'return=OperationOutcome' }),
      body: bodyText,
    }, 'save the price');
    const outcome = await res.json();
    const warnings = (outcome.issue ?? []).filter((i) => i.severity === 'warning');
    return warnings.length
      ? { verdict: 'accepted-with-warning', message: diagnostics({ issue: warnings }), version: res.headers.get('etag') ?? '' }
      : { verdict: 'accepted', message: '', version: res.headers.get('etag') ?? '' };
  } catch (err) {
    if (err instanceof ApiError && err.status === 422 && code(err.outcome) === 'MSG_PARAM_INVALID') {
      return { verdict: 'rejected', message: diagnostics(err.outcome) };
    }
    throw err;
  }
}
