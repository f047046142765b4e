// The fee-preview page: loads a site's ContractBook once (demo data, or the API's
// $snapshot with a token) and prices every keystroke in the browser with the npm package.
import init, { version, ContractBook } from './pkg/practice_fhir.js';

const $ = (id) => document.getElementById(id);
const EXT = 'https://contracts.api.healthcode.co.uk/contract/extension/';
let book = null;

function query(pairs) {
  const q = new URLSearchParams();
  for (const [k, v] of pairs) if (v.trim()) q.set(k, v.trim());
  return q.toString();
}

function outcomeText(err) {
  return err?.outcome?.issue?.map((i) => i.diagnostics).join(' ') ?? String(err);
}

function use(snapshot, how) {
  book?.free();
  book = ContractBook.fromSnapshot(snapshot);
  $('site').value = JSON.parse(snapshot).site;
  $('loaded').textContent = `Loaded the contracts of ${$('site').value} (${how}).`;
  refresh();
}

function refresh() {
  if (!book) return;
  const site = $('site').value;
  $('fee-error').textContent = '';
  const tbody = $('breakdown').querySelector('tbody');
  tbody.replaceChildren();
  try {
    const q = query([['site', site], ['payor', $('payor').value], ['service-type', $('service').value],
      ['procedure-code', $('procedures').value], ['location', $('location').value], ['practitioner', $('practitioner').value], ['breakdown', 'true']]);
    const fee = JSON.parse(book.calculateFee(q));
    const [total, ...lines] = fee.term[0].asset;
    $('fee').textContent = `£${total.valuedItem[0].net.value.toFixed(2)}`;
    for (const line of lines) {
      const coding = line.valuedItem[0].entityCodeableConcept?.coding[0];
      const money = line.valuedItem[1] ?? line.valuedItem[0];
      const row = document.createElement('tr');
      for (const cell of [coding ? `${coding.display}/${coding.code}` : 'service', money.unitPrice?.value?.toFixed(2) ?? '',
        line.context?.[0]?.reference?.reference ?? '', String(money.factor ?? ''), money.net?.value?.toFixed(2) ?? '']) {
        const td = document.createElement('td');
        td.textContent = cell;
        row.append(td);
      }
      tbody.append(row);
    }
  } catch (err) {
    $('fee').textContent = '—';
    $('fee-error').textContent = outcomeText(err);
  }
  try {
    const q = query([['site', site], ['payorId', $('v-payor').value], ['codeType', $('v-type').value], ['code', $('v-code').value],
      ['practitioner', $('v-practitioner').value], ['fee', $('v-fee').value]]);
    const ext = Object.fromEntries(JSON.parse(book.validatePrice(q)).term[0].asset[0].extension.map((e) => [e.url.replace(EXT, ''), e.valueString]));
    $('verdict').textContent = ext.verdict ?? '—';
    $('verdict-message').textContent = ext.verdictMessage ?? '';
    $('narrative').textContent = [ext.narrativeMessage, ext.optionMessage].filter(Boolean).join(' ');
  } catch (err) {
    $('verdict').textContent = '—';
    $('verdict-message').textContent = outcomeText(err);
    $('narrative').textContent = '';
  }
}

await init();
$('version').textContent = version();
$('demo').addEventListener('click', async () => {
  const books = await (await fetch('demo-contracts.json')).json();
  const site = books.find((b) => b.site === $('site').value.trim()) ?? books[0];
  use(JSON.stringify(site), 'demo data');
});
$('fetch').addEventListener('click', async () => {
  const site = encodeURIComponent($('site').value.trim());
  const res = await fetch(`/contract/site/${site}/$snapshot`, { headers: { authorization: `Bearer ${$('token').value.trim()}` } });
  if (!res.ok) {
    $('loaded').textContent = outcomeText({ outcome: await res.json() });
    return;
  }
  use(await res.text(), 'from the API');
});
for (const input of document.querySelectorAll('#fee-form input, #validation input, #validation select')) {
  input.addEventListener('input', refresh);
}
