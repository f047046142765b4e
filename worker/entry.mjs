// The deployed entry point: the workers-rs build (worker/build/index.js) behind a last-resort
// safety net. Rust code paths return OperationOutcomes and never panic on input, but should
// anything escape (a panic aborts the wasm instance; workers-rs re-initialises it for the
// next request), the caller still gets a FHIR 500 OperationOutcome with no internals.
import { WorkerEntrypoint } from 'cloudflare:workers';
import RustWorker from './build/index.js';

// The same rule as the core's ops::client_request_id: the client's id when well formed.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const internalError = (id) => JSON.stringify({
  resourceType: 'OperationOutcome',
  issue: [{
    severity: 'fatal',
    code: 'exception',
    details: { coding: [{ system: 'URL', code: 'MSG_INTERNAL_ERROR', display: 'Internal error.' }] },
    diagnostics: `The request could not be processed. (request id ${id})`,
    expression: [],
  }],
});

// A Rust panic happens inside a wasm future: its promise would never settle and the runtime
// would cancel the request as hung. The Rust panic hook calls this, failing every request
// in flight on the (now aborted) instance; workers-rs re-initialises it for the next one.
const inFlight = new Set();
globalThis.__pfPanic = () => {
  for (const fail of inFlight) fail(new Error('panic in the Rust worker'));
  inFlight.clear();
};

export default class extends WorkerEntrypoint {
  async fetch(request) {
    const start = Date.now();
    let fail;
    const panicked = new Promise((_, reject) => { fail = reject; });
    inFlight.add(fail);
    try {
      return await Promise.race([new RustWorker(this.ctx, this.env).fetch(request), panicked]);
    } catch (err) {
      const sent = request.headers.get('x-request-id');
      const id = sent && REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
      // The log line of README "Logs", for the one path the Rust wrapper cannot write it.
      console.error(JSON.stringify({
        id, method: request.method, route: '-', status: 500, ms: Date.now() - start, site: null, sub: null,
        error: `unhandled error in the Rust worker: ${err?.message ?? err}`,
      }));
      return new Response(internalError(id), {
        status: 500,
        headers: { 'content-type': 'application/fhir+json; charset=utf-8', 'x-request-id': id },
      });
    } finally {
      inFlight.delete(fail);
    }
  }
}
