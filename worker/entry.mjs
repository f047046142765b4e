// The deployed entry point: the workers-rs build (worker/build/index.js) behind a last-resort
// safety net. Rust code paths return OperationOutcomes and never panic on input, but should
// anything escape (a panic aborts the wasm instance; workers-rs re-initialises it for the
// next request), the caller still gets a FHIR 500 OperationOutcome with no internals.
import { WorkerEntrypoint } from 'cloudflare:workers';
import RustWorker from './build/index.js';

const INTERNAL_ERROR = JSON.stringify({
  resourceType: 'OperationOutcome',
  issue: [{
    severity: 'fatal',
    code: 'exception',
    details: { coding: [{ system: 'URL', code: 'MSG_INTERNAL_ERROR', display: 'Internal error.' }] },
    diagnostics: 'The request could not be processed.',
    expression: [],
  }],
});

export default class extends WorkerEntrypoint {
  async fetch(request) {
    try {
      return await new RustWorker(this.ctx, this.env).fetch(request);
    } catch (err) {
      console.error('unhandled error in the Rust worker', err);
      return new Response(INTERNAL_ERROR, {
        status: 500,
        headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
      });
    }
  }
}
