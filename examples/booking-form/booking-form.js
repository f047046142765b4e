// Prices a visit and checks a GMC number with the npm package, on every keystroke.
import init, { ContractBook, checkIdentifier } from 'practice-fhir';
import snapshot from './snapshot.json'; // GET /contract/site/HC00HM4/$snapshot, saved

await init(); // loads the wasm (bundlers emit it as an asset)
const book = ContractBook.fromSnapshot(snapshot);
const $ = (id) => document.getElementById(id);

function price() {
  const procedureCodes = $('procedures').value.split(',').map((c) => c.trim()).filter(Boolean);
  try {
    // The request object is the edge's $calculate-fee query under camelCase names.
    const contract = book.calculateFee({
      site: 'HC00HM4', payor: 'bup', payorType: 'I', providerType: 'S', location: 'HP002694',
      serviceType: 'ISC/C0000010', procedureCodes,
    });
    $('fee').value = `£${contract.term[0].asset[0].valuedItem[0].net.value.toFixed(2)}`;
  } catch (err) {
    // A domain error carries the OperationOutcome; its diagnostics name the field.
    $('fee').value = err.outcome?.issue[0].diagnostics ?? String(err);
  }
}

function checkGmc() {
  const outcome = checkIdentifier('https://fhir.hl7.org.uk/Id/gmc-number', $('gmc').value.trim());
  const problem = outcome.issue.find((i) => i.severity !== 'information');
  $('gmc-verdict').value = problem ? problem.diagnostics : 'well formed';
}

$('procedures').addEventListener('input', price);
$('gmc').addEventListener('input', checkGmc);
price();
checkGmc();
