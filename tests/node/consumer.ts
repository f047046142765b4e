// A small TypeScript consumer of the npm package; `tsc --noEmit` must accept it.
import { version } from 'practice-fhir';

const v: string = version();
export { v };
