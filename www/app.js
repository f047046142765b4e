// The fee-preview page. Loads one site's contracts (from the API with a token: the payor list,
// then each chosen payor's slice, merged into one ContractBook; or the offline demo data),
// then prices every change in the browser with the npm package: the fee, its breakdown, and
// the tariff's verdict on a proposed price. Submitting posts the price through
// $contract-price, compares the API's verdict with the preview's, and refreshes the payor's
// slice in place with what changed.
import init, { version, ContractBook } from 'practice-fhir';
import { catalog } from './catalog.js';
import { decimal, gbp, isFee, percent } from './money.js';
import { drawScale, drawStack, verdictText } from './charts.js';
import { ApiError, ApiSession, diagnostics, endpoints, submitPrice } from './api.js';
import { FALLBACK_PAYORS, SiteSlices } from './slices.js';

const $ = (id) => document.getElementById(id);
const EXT = 'https://contracts.api.healthcode.co.uk/contract/extension/';
const PROCEDURE_SYSTEM = 'https://ref.api.healthcode.co.uk/procedure';
const COLUMNS = ['Item', 'Price', 'Price from', 'Rank', 'Counts at', 'Adds'];
const SUB_TYPES = { FEE_SCHEDULE: 'fee schedule', PRACTITIONER_BESPOKE_CONTRACT: 'bespoke agreement', SELF_PAY: 'self-pay list' };

const state = {
  book: null, // the ContractBook (wasm): the demo site's, or the one slices.js merges into
  slices: null, // the API's site (SiteSlices): payor list, slices loaded, their versions
  session: null, // the API session (token, D1 bookmark), when loaded from the API
  cat: null, // what can be chosen (catalog.js)
  site: '',
  priceUrl: null, // set_contract_price_endpoint, when loaded from the API
  lines: [], // the fee's breakdown lines, for prefilling the proposed fee
  preview: null, // the preview's verdict on the proposed fee
  scaleWidth: 600, // the tariff scale's width on screen
};

// ---- small DOM helpers ----
function options(select, list, keep = true) {
  const same = select.options.length === list.length
    && list.every(([value, label], i) => select.options[i].value === value && select.options[i].text === label);
  if (same) return;
  const previous = select.value;
  select.replaceChildren(...list.map(([value, text]) => new Option(text, value)));
  if (keep && list.some(([v]) => v === previous)) select.value = previous;
}
const text = (id, value) => { $(id).textContent = value; };
const extensions = (asset) => Object.fromEntries((asset?.extension ?? []).map((e) => [e.url.replace(EXT, ''), e.valueString ?? e.extension]));
// A request object for the ContractBook without the fields the form leaves empty (an empty
// parameter is an error, as at the edge).
const request = (fields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v)));

// ---- loading ----
const FALLBACK = new Set(FALLBACK_PAYORS);
const payorName = (payor) => state.cat?.payors.find((p) => p.payor === payor)?.display
  ?? state.slices?.payors.find((p) => p.payor === payor)?.display ?? payor;

// What `book` lets you choose from; refused when the site has nothing to price (listing a
// site's payors creates slf and na, so those alone are nothing).
function catalogOf(book, payors) {
  const snapshot = book.toSnapshot();
  const cat = payors ? catalog(snapshot, payors) : catalog(snapshot);
  if (cat.priceCount === 0 && cat.payors.every((p) => FALLBACK.has(p.payor))) {
    throw new ApiError(`Site ${snapshot.site} has no contracts here (no payors, no prices). Check the site ID.`);
  }
  return cat;
}

// Frees the contracts shown so far (a new site or the demo data replaces them).
function release() {
  if (state.slices) state.slices.free();
  else state.book?.free();
  Object.assign(state, { slices: null, session: null, book: null });
}

// Shows what the book holds: the choices (with `payor` chosen, when given), the status line,
// the fee.
function showContracts(how, payor = null) {
  const { cat } = state;
  $('site').value = state.site;
  populate();
  if (payor) $('payor').value = `${payor.type}-${payor.payor}`;
  $('visit-fields').disabled = false;
  $('check-fields').disabled = false;
  text('load-status', `Loaded ${cat.priceCount} prices and ${cat.payors.length} payors of site ${state.site} (${how}).`);
  text('load-error', '');
  prefillFee();
  refresh();
}

// How the API's contracts came: the payors whose slices are in the book, or the whole site.
function fromApi(payor, after = '') {
  const { slices } = state;
  const v = slices.version(payor);
  const version = v ? `, version ${v}` : '';
  if (slices.whole) return `from the API, the whole site${version}${after}`;
  return `from the API: the prices for ${slices.loaded().map(payorName).join(', ')}${version}${after}`;
}

function failLoad(err) {
  text('load-status', state.book ? `Still showing the contracts of ${state.site}.` : '');
  text('load-error', err instanceof ApiError ? err.message : `Could not use these contracts: ${err?.outcome ? diagnostics(err.outcome) : err}`);
}

// The payor to price first: the one chosen before when the same site is loaded again, else
// the first that is not a fallback.
function firstPayor(site, payors) {
  const before = state.site === site && state.book ? visit().payor : null;
  return payors.find((p) => p.payor === before) ?? payors.find((p) => !FALLBACK.has(p.payor)) ?? payors[0] ?? null;
}

async function loadFromApi() {
  const site = $('site').value.trim();
  const token = $('token').value.trim();
  if (!site) return failLoad(new ApiError('Enter the site ID to load (e.g. HCDEMO1).'));
  $('load').disabled = true;
  $('load').setAttribute('aria-busy', 'true');
  text('load-error', '');
  text('load-status', `Loading the contracts of ${site}…`);
  let slices = null;
  try {
    const session = new ApiSession(token);
    slices = new SiteSlices(session, site, ContractBook);
    const payors = await slices.loadPayors();
    const discovery = await endpoints();
    const payor = firstPayor(site, payors);
    if (payor) await slices.load(payor.payor);
    const cat = catalogOf(slices.book, payors);
    release();
    Object.assign(state, { slices, session, book: slices.book, cat, site, priceUrl: discovery.set_contract_price_endpoint });
    slices = null; // shown now; release() frees it
    $('visit').removeAttribute('aria-busy'); // a payor of the site shown before may have been loading
    showContracts(fromApi(payor?.payor), payor);
    $('submit-hint').textContent = 'Posts the price through $contract-price; the API judges it again.';
    $('visit').focus();
  } catch (err) {
    slices?.free();
    failLoad(err);
  } finally {
    $('load').disabled = false;
    $('load').removeAttribute('aria-busy');
  }
  updateSubmit();
}

// A payor whose slice is not in the book yet: load it, then show what it adds.
async function loadPayor(payor) {
  const { slices } = state;
  if (!slices || slices.has(payor)) return;
  $('visit').setAttribute('aria-busy', 'true');
  text('load-status', `Loading the prices for ${payorName(payor)}…`);
  try {
    await slices.load(payor);
    if (state.slices !== slices) return; // another site was loaded meanwhile
    state.book = slices.book;
    state.cat = catalogOf(slices.book, slices.payors);
    showContracts(fromApi(visit().payor));
  } catch (err) {
    if (state.slices !== slices) return;
    text('load-status', `Could not load the prices for ${payorName(payor)}; choose it again to retry.`);
    text('load-error', err instanceof ApiError ? err.message : `Could not use these contracts: ${err?.outcome ? diagnostics(err.outcome) : err}`);
  } finally {
    if (state.slices === slices && slices.pending.size === 0) $('visit').removeAttribute('aria-busy');
  }
}

async function loadDemo() {
  text('load-error', '');
  try {
    const res = await fetch('demo-contracts.json');
    if (!res.ok) throw new ApiError(`The demo data is missing (${res.status}); run make dev to build it.`);
    const books = await res.json();
    const wanted = $('site').value.trim();
    const snapshot = books.find((b) => b.site === wanted) ?? books.find((b) => b.site === 'HCDEMO1') ?? books[0];
    const book = ContractBook.fromSnapshot(snapshot);
    let cat;
    try {
      cat = catalogOf(book);
    } catch (err) {
      book.free();
      throw err;
    }
    release();
    Object.assign(state, { book, cat, site: snapshot.site, priceUrl: null });
    $('visit').removeAttribute('aria-busy');
    showContracts(snapshot.site === wanted ? 'demo data, offline' : `demo data, offline: there is no demo site ${wanted}`);
    $('submit-hint').textContent = 'Sign in and load the site from the API to submit prices.';
    $('visit').focus();
  } catch (err) {
    failLoad(err instanceof TypeError ? new ApiError('Cannot fetch the demo data. Is the page served (make dev)?') : err);
  }
  updateSubmit();
}

// ---- the choices ----
function populate() {
  const { cat } = state;
  options($('payor'), cat.payors.map((p) => [`${p.type}-${p.payor}`, p.display === p.payor ? p.payor : `${p.display} (${p.payor})`]));
  options($('service'), cat.services.map((s) => [s.code, s.display ? `${s.display} (${s.code})` : s.code]));
  if (!cat.services.some((s) => s.code === $('service').value)) $('service').value = cat.services[0]?.code ?? '';
  options($('location'), [['', 'Any (site-wide)'], ...cat.locations.map((l) => [l, l])]);
  options($('practitioner'), [['', 'None in particular'], ...cat.practitioners.map((p) => [p, p])]);
  renderProcedures();
}

function renderProcedures() {
  const chosen = new Set(chosenProcedures());
  const items = state.cat.procedures($('service').value).map(({ code, display }) => {
    const li = document.createElement('li');
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = code;
    box.checked = chosen.has(code);
    const name = document.createElement('span');
    name.className = 'code';
    name.textContent = code;
    label.append(box, name, display ? ` ${display}` : '');
    li.append(label);
    li.dataset.search = `${code} ${display}`.toLowerCase();
    return li;
  });
  $('procedure-list').replaceChildren(...items);
  if (items.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = 'No procedures are priced under this service: the service is priced alone.';
    $('procedure-list').append(li);
  }
  filterProcedures();
}

function filterProcedures() {
  const needle = $('procedure-filter').value.trim().toLowerCase();
  for (const li of $('procedure-list').children) {
    const box = li.querySelector('input');
    li.hidden = Boolean(box && needle && !box.checked && !li.dataset.search.includes(needle));
  }
  const n = chosenProcedures().length;
  text('procedure-count', n ? `(${n} chosen)` : '(none chosen)');
}

function chosenProcedures() {
  return [...document.querySelectorAll('#procedure-list input:checked')].map((b) => b.value);
}

function visit() {
  const [type, ...rest] = $('payor').value.split('-');
  return {
    payorType: type,
    payor: rest.join('-'),
    service: $('service').value,
    procedures: chosenProcedures(),
    location: $('location').value,
    practitioner: $('practitioner').value,
  };
}

// The items whose price can be proposed: the service alone, and each chosen procedure.
function renderItems(v = visit()) {
  const tariff = (type, code) => (state.cat.hasTariff(v.payor, type, code.split('/').pop()) ? ' · has a tariff' : '');
  options($('p-item'), [
    [`S|${v.service}`, `${v.service} (service alone)${tariff('S', v.service)}`],
    ...v.procedures.map((p) => [`P|${p}`, `${p} with ${v.service}${tariff('P', p)}`]),
  ]);
}

// ---- pricing, on every change ----
function priceVisit(v) {
  const req = request({ site: state.site, payor: v.payor, payorType: v.payorType, serviceType: v.service,
    procedureCodes: v.procedures, location: v.location, practitioner: v.practitioner, breakdown: true });
  try {
    return { fee: state.book.calculateFee(req) };
  } catch (err) {
    return { error: err };
  }
}

function judge(v, item, feeText) {
  const [type, code] = item.split('|');
  const fee = feeText.trim();
  if (!code) return { none: true };
  const req = request({ site: state.site, payor: v.payor, codeType: type, code, practitioner: v.practitioner,
    fee: isFee(fee) ? fee : '' });
  try {
    const asset = state.book.validatePrice(req).term[0].asset[0];
    return { ext: extensions(asset), fee: isFee(fee) ? fee : null, feeText: fee };
  } catch (err) {
    return { error: err, fee: isFee(fee) ? fee : null, feeText: fee };
  }
}

function refresh() {
  if (!state.book) return;
  // Keep the timeline bounded in a long session (the bench reads fewer than 1,000 changes).
  if (performance.getEntriesByName('fee:compute').length >= 1000) {
    for (const name of ['fee:compute', 'fee:render', 'fee:to-frame']) performance.clearMeasures(name);
    performance.clearMarks('fee:start');
  }
  const v = visit();
  if (state.slices && !state.slices.has(v.payor)) return showLoading(v);
  const start = performance.now();
  performance.mark('fee:start', { startTime: start });
  renderItems(v); // the proposal's items follow the chosen procedures
  const [item, feeText] = [$('p-item').value, $('p-fee').value];
  // compute: the npm package's two answers, JSON in and out
  const computeStart = performance.now();
  const priced = priceVisit(v);
  const judged = judge(v, item, feeText);
  const renderStart = performance.now();
  showFee(priced, v);
  showCheck(judged);
  performance.measure('fee:compute', { start: computeStart, end: renderStart });
  performance.measure('fee:render', { start: renderStart, end: performance.now() });
  // The frame that paints the update: its rAF callback runs just before it is drawn.
  requestAnimationFrame(() => performance.measure('fee:to-frame', 'fee:start'));
}

// The chosen payor's prices are on their way (loadPayor): nothing to price or judge yet.
function showLoading(v) {
  text('fee', '—');
  text('fee-summary', `Loading the prices for ${payorName(v.payor)}…`);
  text('fee-error', '');
  $('breakdown').hidden = true;
  $('stack-figure').hidden = true;
  state.lines = [];
  showCheck({ none: true });
}

function source(context, v) {
  const refs = Object.fromEntries(context.map((c) => [c.reference.display, c.reference.reference]));
  const contractRef = context[0]?.reference;
  // The payor reference is `I/bup` (insurer) or `C/<contact>` in the breakdown.
  const payor = refs.Payor?.replace(/^(Payor\/)?[IC][-/]/, '') ?? '';
  const name = state.cat.payors.find((p) => p.payor === payor)?.display ?? payor;
  let words = `${name} ${SUB_TYPES[contractRef?.display] ?? contractRef?.display ?? ''}`;
  if (refs.Location) words += ` at ${refs.Location.replace('Location/', '')}`;
  if (refs.Practitioner) words += ` of ${refs.Practitioner.replace('Practitioner/', '')}`;
  if (payor === 'na' && v.payor !== 'na') words += ' (fallback)';
  return { words, contract: contractRef?.reference?.replace('Contract/', '') ?? '' };
}

function showFee({ fee, error }, v) {
  const tbody = $('breakdown').querySelector('tbody');
  if (error) {
    text('fee', '—');
    text('fee-summary', '');
    text('fee-error', error.outcome ? diagnostics(error.outcome) : String(error));
    $('breakdown').hidden = true;
    $('stack-figure').hidden = true;
    state.lines = [];
    return;
  }
  const [total, ...assets] = fee.term[0].asset;
  text('fee-error', '');
  text('fee', gbp(total.valuedItem[0].net.value));
  const records = extensions(total);
  const set = records.providerGroup;
  const n = v.procedures.length;
  text('fee-summary', n > 1
    ? (set ? `${n} procedures under multi-procedure set ${set}.` : `${n} procedures, each counted in full (no multi-procedure rules for this payor).`)
    : n === 1 ? 'One procedure.' : 'The service alone.');
  state.lines = assets.map((asset) => {
    const coding = asset.valuedItem.find((i) => i.entityCodeableConcept)?.entityCodeableConcept.coding[0];
    const money = asset.valuedItem.find((i) => i.unitPrice);
    const code = coding ? `${coding.display}/${coding.code}` : v.service;
    const description = coding ? state.cat.procedures(v.service).find((p) => p.code === code)?.display : 'service alone';
    return {
      code, description: description ?? '', price: money.unitPrice.value, factor: money.factor, adds: money.net.value,
      rank: extensions(asset).rank ?? '', from: source(asset.context ?? [], v),
    };
  });
  tbody.replaceChildren(...state.lines.map((line) => {
    const row = document.createElement('tr');
    const cells = [
      [line.code, line.description], [gbp(line.price)], [line.from.words, `contract ${line.from.contract}`],
      [line.rank], [`${percent(line.factor)}%`], [gbp(line.adds)],
    ];
    for (const [i, [main, small]] of cells.entries()) {
      const td = document.createElement('td');
      td.dataset.label = COLUMNS[i];
      td.append(main);
      if (small) {
        const s = document.createElement('small');
        s.textContent = small;
        td.append(document.createElement('br'), s);
      }
      row.append(td);
    }
    return row;
  }));
  $('breakdown').hidden = false;
  $('stack-figure').hidden = state.lines.length < 1;
  drawStack($('stack'), $('stack-legend'), $('stack-desc'), state.lines.map((l) => ({ label: l.code, amount: l.adds })));
}

function showCheck(judged) {
  $('scale-figure').hidden = true;
  text('narrative', '');
  state.preview = null;
  if (judged.none) {
    text('verdict', '—');
    text('verdict-message', '');
  } else if (judged.error) {
    const code = judged.error.outcome?.issue?.[0]?.details?.coding?.[0]?.code;
    if (code === 'MSG_REFERENCE_ID_NOT_FOUND' && !/^Site|^Payor|^Practitioner/.test(diagnostics(judged.error.outcome))) {
      // No tariff for this item: nothing to judge against, and the API accepts any price.
      text('verdict', judged.fee ? 'accepted' : '—');
      text('verdict-message', `No tariff applies (${diagnostics(judged.error.outcome)}), so any price is accepted.`);
      state.preview = judged.fee ? { verdict: 'accepted', fee: judged.fee } : null;
    } else {
      text('verdict', '—');
      text('verdict-message', diagnostics(judged.error.outcome) || String(judged.error));
    }
  } else {
    const { ext } = judged;
    if (judged.fee === null) {
      text('verdict', '—');
      text('verdict-message', judged.feeText ? `“${judged.feeText}” is not a fee: enter pounds and pence, e.g. 450.00.` : 'Enter a proposed fee.');
    } else {
      text('verdict', verdictText(ext.verdict));
      text('verdict-message', ext.verdictMessage ?? '');
      state.preview = { verdict: ext.verdict, fee: judged.fee };
    }
    $('verdict').dataset.verdict = ext.verdict ?? '';
    text('narrative', [ext.narrativeMessage, ext.optionMessage].filter(Boolean).join(' '));
    $('scale-figure').hidden = false;
    drawScale($('scale'), $('scale-desc'), ext, judged.fee, ext.verdict, state.scaleWidth);
  }
  $('verdict').dataset.verdict = state.preview?.verdict ?? '';
  updateSubmit();
}

// The current price of the chosen item, as the starting point of a proposal.
function prefillFee() {
  if (!state.book) return;
  renderItems();
  const [type, code] = $('p-item').value.split('|');
  const v = visit();
  let price = '';
  if (type === 'P') {
    price = state.lines.find((l) => l.code === code)?.price ?? '';
    if (price === '') {
      try {
        price = state.book.feeTotal(request({ site: state.site, payor: v.payor, payorType: v.payorType, serviceType: v.service,
          procedureCodes: [code], location: v.location, practitioner: v.practitioner }));
      } catch { /* not priced yet */ }
    }
  } else if (type === 'S') {
    try {
      price = state.book.feeTotal(request({ site: state.site, payor: v.payor, payorType: v.payorType, serviceType: v.service,
        location: v.location, practitioner: v.practitioner }));
    } catch { /* not priced yet */ }
  }
  $('p-fee').value = price === '' ? '' : decimal(price);
}

// ---- submitting ----
function updateSubmit() {
  $('submit').disabled = !(state.priceUrl && state.preview);
}

function priceBody(fee) {
  const v = visit();
  const [type, code] = $('p-item').value.split('|');
  const payor = state.cat.payors.find((p) => p.payor === v.payor && p.type === v.payorType);
  const service = state.cat.services.find((s) => s.code === v.service);
  const [serviceSystem, serviceCode] = v.service.split('/');
  const context = [{ reference: { reference: `Payor/${v.payorType}-${v.payor}`, display: 'Payor' } }];
  if (v.location) context.push({ reference: { reference: `Location/${v.location}`, display: 'Location' } });
  if (v.practitioner) context.push({ reference: { reference: `Practitioner/${v.practitioner}`, display: 'Practitioner' } });
  const items = [{ entityCodeableConcept: { coding: [{ system: serviceSystem, code: serviceCode, ...(service?.display ? { display: service.display } : {}) }] } }];
  if (type === 'P') {
    const [scheme, procedure] = code.split('/');
    items.push({ entityCodeableConcept: { coding: [{ system: PROCEDURE_SYSTEM, code: procedure, display: scheme }] } });
  }
  items.push({ net: { value: '__NET__' } });
  const body = {
    resourceType: 'Contract',
    ...(payor ? { id: payor.contract } : {}),
    subject: [{ reference: `Site/${state.site}` }],
    term: [{ asset: [{ type: [{ coding: [{ code: v.practitioner ? 'Practitioner_BeSpoke' : 'PriceGroupAssignment' }] }], context, valuedItem: items }] }],
  };
  // The fee goes in as the decimal the person typed, never through a float.
  return JSON.stringify(body).replace('"__NET__"', fee);
}

async function submit() {
  const preview = state.preview;
  if (!preview || !state.priceUrl) return;
  const { slices, session } = state;
  const payor = visit().payor;
  $('submit').disabled = true;
  $('submit').setAttribute('aria-busy', 'true');
  text('server-answer', `Submitting ${gbp(preview.fee)}…`);
  text('disagree', '');
  try {
    const answer = await submitPrice(session, state.priceUrl, priceBody(decimal(preview.fee)));
    const words = answer.verdict === 'rejected'
      ? `The API refused ${gbp(preview.fee)}: ${answer.message}`
      : `The API saved ${gbp(preview.fee)}${answer.verdict === 'accepted-with-warning' ? `, with a warning: ${answer.message}` : '.'}`;
    text('server-answer', words);
    if (answer.verdict !== preview.verdict) {
      text('disagree', `The API disagrees with the preview: the preview said “${verdictText(preview.verdict)}”, the API said “${verdictText(answer.verdict)}”. This should never happen; please report it.`);
    }
    if (answer.verdict !== 'rejected') {
      // The payor's prices changed: bring its slice up to date (only what changed since,
      // read through the write's bookmark) so the preview prices with the new price.
      const changed = await slices.refresh(payor);
      if (changed && state.slices === slices) {
        const keep = { payor: $('payor').value, service: $('service').value, procedures: chosenProcedures(), item: $('p-item').value, fee: $('p-fee').value };
        state.book = slices.book;
        state.cat = catalogOf(slices.book, slices.payors);
        showContracts(fromApi(payor, ', after your change'));
        restore(keep);
      }
    }
  } catch (err) {
    text('server-answer', '');
    text('disagree', err instanceof ApiError ? err.message : String(err));
  } finally {
    $('submit').removeAttribute('aria-busy');
    updateSubmit();
  }
}

function restore(keep) {
  $('payor').value = keep.payor;
  $('service').value = keep.service;
  renderProcedures();
  for (const box of document.querySelectorAll('#procedure-list input')) box.checked = keep.procedures.includes(box.value);
  filterProcedures();
  renderItems();
  $('p-item').value = keep.item;
  $('p-fee').value = keep.fee;
  refresh();
}

// ---- wiring ----
function wire() {
  $('load-form').addEventListener('submit', (e) => {
    e.preventDefault();
    loadFromApi();
  });
  $('demo').addEventListener('click', loadDemo);
  $('service').addEventListener('change', () => {
    renderProcedures();
    prefillFee();
    refresh();
  });
  for (const id of ['payor', 'location', 'practitioner', 'p-item']) {
    $(id).addEventListener('change', () => {
      if (id !== 'p-item') refresh();
      prefillFee();
      refresh();
    });
  }
  $('payor').addEventListener('change', () => loadPayor(visit().payor));
  $('procedure-list').addEventListener('change', () => {
    filterProcedures();
    const item = $('p-item').value;
    refresh();
    if ($('p-item').value !== item) {
      prefillFee();
      refresh();
    }
  });
  $('procedure-filter').addEventListener('input', filterProcedures);
  $('p-fee').addEventListener('input', refresh);
  $('submit').addEventListener('click', submit);
}

async function start() {
  wire();
  // The tariff scale is drawn at its shown width; reading it while pricing would force a
  // layout on every change, so an observer keeps it and redraws when it changes.
  new ResizeObserver(([entry]) => {
    const width = Math.round(entry.contentRect.width);
    if (width > 0 && width !== state.scaleWidth) {
      state.scaleWidth = width;
      refresh();
    }
  }).observe($('scale'));
  try {
    await init();
  } catch (err) {
    text('load-error', `This browser could not start the fee engine (WebAssembly): ${err.message ?? err}`);
    $('load').disabled = true;
    $('demo').disabled = true;
    return;
  }
  text('version', `v${version()}`);
  // `make dev` prints a link with the token in the fragment (never sent to a server).
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('site')) $('site').value = hash.get('site');
  if (hash.get('token')) {
    $('token').value = hash.get('token');
    history.replaceState(null, '', location.pathname + location.search);
    await loadFromApi();
  }
  document.body.dataset.ready = 'true';
}

start();
