// The page: loads the npm package (copied into www/pkg by scripts/build-pkg.sh) and runs
// the core in the browser, the same code the edge API runs.
import init, { version } from './pkg/practice_fhir.js';

await init();
document.querySelector('#version').textContent = version();
