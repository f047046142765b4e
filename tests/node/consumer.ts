// A small TypeScript consumer of the npm package; `tsc --noEmit` must accept it.
import {
  version, parseResource, parseResourceJson, validateResource, checkIdentifier, ContractBook,
  type OperationOutcome, type CalculateFeeResponse, type FhirError, type SliceDescription,
  type CalculateFeeRequest, type PriceValidationResponse, type EffectivePricesBundle,
  type ContractBookSnapshot, type FhirResource,
} from 'practice-fhir';
import { ContractBook as FeesBook } from 'practice-fhir/fees';

const v: string = version();
const outcome: OperationOutcome = validateResource('{"resourceType":"Practitioner"}');
const fromObject: OperationOutcome = validateResource({ resourceType: 'Practitioner' });
const errors: number = outcome.issue.filter((i) => i.severity === 'error').length + fromObject.issue.length;
let normalised: FhirResource | undefined;
let normalisedText: string | undefined;
try {
  normalised = parseResource('{"resourceType":"Practitioner","name":[{"family":"Clinton"}]}');
  normalisedText = parseResourceJson('{"resourceType":"Practitioner"}');
} catch (e) {
  const code: string | undefined = (e as FhirError).outcome.issue[0].details?.coding[0].code;
  console.log(code);
}
const gmc: OperationOutcome = checkIdentifier('https://fhir.hl7.org.uk/Id/gmc-number', 'C2134567');
const book: ContractBook = ContractBook.fromSnapshot({ site: 'S1' });
const request: CalculateFeeRequest = { payor: 'bup', serviceType: 'ISC/C0000010', procedureCodes: ['CCSD/A3000'], breakdown: true };
const fee: CalculateFeeResponse = book.calculateFee(request);
const net: number | undefined = fee.term[0].asset[0].valuedItem[0].net?.value;
const viaQuery: CalculateFeeResponse = book.calculateFee('site=S1&payor=bup&service-type=ISC/C0000010');
const feeText: string = book.calculateFeeJson(request);
const total: string = book.feeTotal(request);
const verdict: PriceValidationResponse = book.validatePrice({ code: 'ISC/C0000010', codeType: 'S', fee: 290 });
const prices: EffectivePricesBundle = book.effectivePrices({ serviceCode: 'ISC/C0000010', count: 10 });
const held: ContractBookSnapshot = book.toSnapshot();
const heldText: string = book.toSnapshotJson();
book.free();
// A page that starts empty and merges one payor's slice at a time.
const sliced: ContractBook = ContractBook.empty('S1');
const sliceText = '{"site":"S1","payors":[{"id":"1","payor":"bup","type":"I"}],"slice":{"payors":["bup","na","slf"],"lastUpdated":"2026-12-01T09:00:00Z","since":null}}';
sliced.mergeSlice(sliceText);
sliced.mergeSlice(JSON.parse(sliceText) as ContractBookSnapshot);
const described: SliceDescription = JSON.parse(sliceText).slice;
const lastUpdated: string = described.lastUpdated;
sliced.free();
// The fees entry: the same ContractBook, no validator.
const feesBook: FeesBook = FeesBook.fromSnapshot({ site: 'S1' });
const feesTotal: string = feesBook.feeTotal(request);
export { v, errors, normalised, normalisedText, gmc, net, viaQuery, feeText, total, verdict, prices, held, heldText, lastUpdated, feesTotal };
