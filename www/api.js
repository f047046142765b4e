// The moments the page talks to the API: the site's payor list, a payor's slice of the
// site's contracts (or the whole site from an older API), and submitting a price. Every
// failure becomes a sentence a receptionist can act on (ApiError.message), keeping the API's
// OperationOutcome for the details. No DOM here, so the slice bookkeeping (slices.js) runs
// under node:test with a fake fetch.
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
const origin = (url) => new URL(url, globalThis.location?.href ?? 'http://localhost/').origin;

// A 304 is an answer too: the caller asked If-None-Match and has what the API would send.
// `answered` sees every response, refusals included.
async function call(fetchFn, url, init, what, answered = () => {}) {
  let res;
  try {
    res = await fetchFn(url, init);
  } catch {
    throw new ApiError(`Cannot reach the API at ${origin(url)} to ${what}. Is it running (make dev)? Try again in a moment.`);
  }
  answered(res);
  if (res.ok || res.status === 304) return res;
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

/**
 * One signed-in conversation with the API: the token, and the D1 bookmark of the latest
 * answer, sent back on every later request (x-d1-bookmark) so that a read after this page's
 * own write sees it, whichever replica answers.
 */
export class ApiSession {
  constructor(token, { fetch: fetchFn = (...args) => globalThis.fetch(...args) } = {}) {
    if (!token) throw new ApiError('Enter an access token to load contracts from the API (or try the demo data).');
    this.token = token;
    this.bookmark = null;
    this.fetch = fetchFn;
  }

  async call(url, { headers = {}, ...init } = {}, what = 'answer') {
    const sent = { authorization: `Bearer ${this.token}`, ...(this.bookmark ? { 'x-d1-bookmark': this.bookmark } : {}), ...headers };
    return call(this.fetch, url, { ...init, headers: sent }, what, (res) => {
      const bookmark = res.headers?.get?.('x-d1-bookmark');
      if (bookmark) this.bookmark = bookmark;
    });
  }
}

const sitePath = (site) => `/contract/site/${encodeURIComponent(site)}`;
const etagText = (etag) => etag?.replace(/^W\/"|"$/g, '') ?? '';
const loadWhat = (site) => `load the contracts of site ${site}`;

/** A payor-list entry (a payor Contract) as the page uses it. */
export function payorOf(contract) {
  const authority = contract.authority?.[0] ?? {};
  const [kind, payor = ''] = (authority.reference ?? '').split('/');
  return { payor, type: kind === 'Person' ? 'C' : 'I', display: authority.display ?? payor, contract: contract.id };
}

/** The site's payors (GET /contract/site/{site}), every page of them. */
export async function loadPayors(session, site) {
  const payors = [];
  for (let page = 1; ; page += 1) {
    const res = await session.call(`${sitePath(site)}?count=100${page > 1 ? `&page=${page}` : ''}`, {}, loadWhat(site));
    const bundle = await res.json();
    const entries = bundle.entry ?? [];
    payors.push(...entries.map((e) => payorOf(e.resource ?? {})));
    const maxCount = Number(bundle.meta?.tag?.find((t) => t.code === 'maxCount')?.display ?? payors.length);
    if (entries.length === 0 || payors.length >= maxCount) return payors;
  }
}

/**
 * A slice of the site's contracts: `payor` set, that payor's (GET …/$snapshot?payor=bup);
 * `since`, only what changed after that instant; `etag`, answered 304 when unchanged. With
 * no payor, the whole site. Resolves to { notModified } or { text, etag, version }.
 */
export async function loadSlice(session, site, { payor, since, etag } = {}) {
  const params = new URLSearchParams();
  if (payor) params.set('payor', payor);
  if (since) params.set('_lastUpdated', `gt${since}`);
  const q = params.toString();
  const res = await session.call(`${sitePath(site)}/$snapshot${q ? `?${q}` : ''}`,
    { headers: etag ? { 'if-none-match': etag } : {} }, loadWhat(site));
  if (res.status === 304) return { notModified: true, etag, version: etagText(etag) };
  const newEtag = res.headers.get('etag');
  return { text: await res.text(), etag: newEtag, version: etagText(newEtag) };
}

/** The contracts API's discovery document: where to submit prices. */
export async function endpoints(fetchFn = (...args) => globalThis.fetch(...args)) {
  const res = await call(fetchFn, '/contract/.well-known/api-configuration', {}, 'read the discovery document');
  return res.json();
}

/**
 * POSTs one price (the Contract's JSON text) through $contract-price (asking for the OperationOutcome, so the tariff's
 * warning comes back). Resolves to the server's verdict: accepted / accepted-with-warning /
 * rejected, with its message. Other failures throw ApiError.
 */
export async function submitPrice(session, url, bodyText) {
  try {
    const res = await session.call(url, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', prefer: 'return=OperationOutcome' },
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
