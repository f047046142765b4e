// A small TypeScript consumer of the npm package; `tsc --noEmit` must accept it.
import {
  version, parseResource, validateResource, ContractBook,
  type OperationOutcome, type CalculateFeeResponse, type FhirError, type SliceDescription,
} from 'practice-fhir';

const v: string = version();
const outcome: OperationOutcome = validateResource('{"resourceType":"Practitioner"}');
const errors: number = outcome.issue.filter((i) => i.severity === 'error').length;
let normalised: string | undefined;
try {
  normalised = parseResource('{"resourceType":"Practitioner","name":[{"family":"Clinton"}]}');
} catch (e) {
  const code: string | undefined = (e as FhirError).outcome.issue[0].details?.coding[0].code;
  console.log(code);
}
const book: ContractBook = ContractBook.fromSnapshot('{"site":"S1"}');
const fee: CalculateFeeResponse = JSON.parse(book.calculateFee('site=S1&payor=bup&service-type=ISC/C0000010'));
const net: number | undefined = fee.term[0].asset[0].valuedItem[0].net?.value;
const total: string = book.feeTotal('site=S1&payor=bup&service-type=ISC/C0000010');
book.free();
// A page that starts empty and merges one payor's slice at a time.
const sliced: ContractBook = ContractBook.empty('S1');
const sliceText = '{"site":"S1","payors":[{"id":"1","payor":"bup","type":"I"}],"slice":{"payors":["bup","na","slf"],"lastUpdated":"2026-12-01T09:00:00Z","since":null}}';
sliced.mergeSlice(sliceText);
const described: SliceDescription = JSON.parse(sliceText).slice;
const lastUpdated: string = described.lastUpdated;
sliced.free();
export { v, errors, normalised, net, total, lastUpdated };
