// Writes data/demo-site.json: one ContractBook snapshot (site HCDEMO1) rich enough to show
// what the fee-preview page does: six payors, three services, a dozen CCSD procedures, a
// location-specific schedule, practitioner bespoke and self-pay prices, two multi-procedure
// sets and tariffs (low / median / high / maximum) for most codes. The seed documents' sites
// are too small for that (HC00HM4 has four prices). Deterministic: no randomness, all money
// computed in integer pennies. Run `node scripts/demo-site.mjs` after changing it; the
// output is committed so that a review sees the data.
import { writeFileSync } from 'node:fs';

const SITE = 'HCDEMO1';
const pounds = (pence) => `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
const scale = (pence, percent) => Math.round((pence * percent) / 100);

const payors = [
  { id: '0000090001', payor: 'bup', type: 'I', display: 'BUPA', percent: 100 },
  { id: '0000090002', payor: 'axa', type: 'I', display: 'AXA Health', percent: 95 },
  { id: '0000090003', payor: 'avi', type: 'I', display: 'Aviva', percent: 92 },
  { id: '0000090004', payor: 'slh', type: 'I', display: 'Vitality', percent: 97 },
  { id: '0000090005', payor: 'slf', type: 'I', display: 'Self-Pay', percent: 130 },
  { id: '0000090006', payor: 'na', type: 'I', display: 'All Others', percent: 120 },
];
const surgery = { code: 'ISC/C0000010', display: 'Surgeons Fee For Surgery' };
const anaesthesia = { code: 'ISC/C0000020', display: 'Anaesthetists Fee For Surgery' };
const consultation = { code: 'ISC/E0002620', display: 'Outpatient Consultation' };
// [code, description, surgeon's base fee in pence]
const procedures = [
  ['CCSD/W3712', 'Primary total hip replacement', 180000],
  ['CCSD/W4210', 'Primary total knee replacement', 190000],
  ['CCSD/W8200', 'Arthroscopy of knee', 68000],
  ['CCSD/T2000', 'Primary repair of inguinal hernia', 72000],
  ['CCSD/J1830', 'Laparoscopic cholecystectomy', 110000],
  ['CCSD/H2002', 'Colonoscopy', 42000],
  ['CCSD/G4500', 'Gastroscopy', 32000],
  ['CCSD/C7122', 'Cataract extraction with lens implant', 95000],
  ['CCSD/S0610', 'Excision of skin lesion', 21000],
  ['CCSD/A6520', 'Carpal tunnel release', 48000],
  ['CCSD/Q0700', 'Abdominal hysterectomy', 150000],
  ['CCSD/M4210', 'Cystoscopy', 28000],
];
const locations = ['HP002694', 'HP002166'];
const practitioners = ['SP046728', 'SP000005', 'SP100001'];

const prices = [];
const price = (contract, service, rest, pence) =>
  prices.push({ contract, service: service.code, ...rest, net: pounds(pence), serviceDisplay: service.display });
for (const p of payors) {
  price(p.id, consultation, {}, scale(20000, p.percent));
  for (const [code, description, base] of procedures) {
    price(p.id, surgery, { procedure: code, procedureDisplay: description }, scale(base, p.percent));
    // Anaesthesia at 40% of the surgeon's fee; All Others has none (a missing price, on purpose).
    if (p.payor !== 'na') price(p.id, anaesthesia, { procedure: code, procedureDisplay: description }, scale(base, (p.percent * 40) / 100));
  }
}
// BUPA pays 10% more at the second location, for surgery.
for (const [code, description, base] of procedures) {
  price('0000090001', surgery, { procedure: code, procedureDisplay: description, location: 'HP002166' }, scale(base, 110));
}
// Aviva's consultations cost less at the first location.
price('0000090003', consultation, { location: 'HP002694' }, 17500);
// A bespoke AXA agreement with SP046728 for the orthopaedic procedures.
for (const [code, description, base] of procedures.slice(0, 3)) {
  price('0000090002', surgery, { procedure: code, procedureDisplay: description, practitioner: 'SP046728' }, scale(base, 105));
}
// SP046728's own self-pay list.
const selfPay = [{ id: '0000090010', practitioner: 'SP046728' }];
price('0000090010', consultation, { practitioner: 'SP046728' }, 25000);
for (const [code, description, base] of procedures.slice(0, 6)) {
  price('0000090010', surgery, { procedure: code, procedureDisplay: description, practitioner: 'SP046728' }, scale(base, 125));
}

const bupaRecords = [
  ['01', '1', '100', 'HIGHEST'],
  ['02', '1', '100', 'HIGHEST'], ['02', '2', '50', 'HIGHEST2'],
  ['03', '1', '100', 'HIGHEST'], ['03', '2', '50', 'HIGHEST2'], ['03', '3', '25', 'OTHER'],
  ['04', '1', '100', 'HIGHEST'], ['04', '2', '50', 'HIGHEST2'], ['04', '3', '25', 'OTHER'],
];
const axaRecords = [
  ['02', '1', '100', 'HIGHEST'], ['02', '2', '60', 'HIGHEST2'],
  ['03', '1', '100', 'HIGHEST'], ['03', '2', '60', 'HIGHEST2'], ['03', '3', '30', 'OTHER'],
];
const multiProcSets = [
  { id: '0000011460', description: 'Default Multi-Procedure Calculation (BUPA)', payor: 'bup', default: true, records: bupaRecords },
  { id: '0000090020', description: 'Multi-Procedure Calculation (AXA)', editable: true, payor: 'axa', records: axaRecords },
];

// Tariffs: the payor's range for each code (P = procedure under surgery, S = service).
const tariffs = [];
const insurers = { bup: 'BUPA', axa: 'AXA Health', slh: 'Vitality' };
function tariff(payor, codeType, code, display, base, extra = {}) {
  const [low, median, high, max] = [80, 100, 125, 200].map((pc) => pounds(scale(base, pc)));
  const name = insurers[payor];
  tariffs.push({
    payor, codeType, code, display, ...extra,
    narrativeMessage: `Upper price is £${high}, lower price is £${low}, median price is £${median}.`,
    warningMessage: `Your fee is above the range ${name} has set out. Proceeding may limit the referrals you receive from ${name}.`,
    rejectMessage: `The fee exceeds ${name}'s maximum of £${max}.`,
    optionMessage: `Please accept the terms and conditions of ${name}.`,
    lowPrice: low, medianPrice: median, highPrice: high, maximumPrice: max,
  });
}
for (const payor of Object.keys(insurers)) {
  const percent = payors.find((p) => p.payor === payor).percent;
  tariff(payor, 'S', consultation.code.split('/')[1], consultation.display, scale(20000, percent));
  for (const [code, description, base] of procedures.slice(0, 10)) {
    tariff(payor, 'P', code.split('/')[1], description, scale(base, percent));
  }
}
// SP046728's own AXA range for hip replacements (overrides the payor-wide one).
tariff('axa', 'P', 'W3712', procedures[0][1], scale(procedures[0][2], 105), { practitioner: 'SP046728' });

const book = {
  format: 'practice-fhir/contract-book', version: 1, site: SITE, practitioners,
  payors: payors.map(({ percent, ...p }) => p), selfPay, prices, multiProcSets, tariffs,
};
writeFileSync('data/demo-site.json', `${JSON.stringify(book, null, 1)}\n`);
console.log(`data/demo-site.json: ${prices.length} prices, ${tariffs.length} tariffs, locations ${locations.join(', ')}`);
