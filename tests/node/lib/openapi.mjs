// Checks responses against the OpenAPI 3.1 document the worker serves: every response the
// e2e tests receive is recorded, then validated against the schema of its operation and
// status (JSON Schema 2020-12, via Ajv).
import Ajv2020 from 'ajv/dist/2020.js';

export const recorded = [];

/** Records a response (method, url, status, parsed body) for later validation. */
export async function record(method, res) {
  const text = await res.clone().text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  recorded.push({ method: method.toLowerCase(), url: new URL(res.url), status: res.status, body, type: res.headers.get('content-type') });
}

function matcher(template) {
  const re = template.split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`);
}

/** Validates every recorded response; returns the list of problems (empty when all match). */
export function validateAll(doc, { from = 0 } = {}) {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajv.addSchema({ $id: 'openapi', components: doc.components });
  const paths = Object.keys(doc.paths)
    .map((p) => ({ p, re: matcher(p), literal: !p.includes('{') }))
    .sort((a, b) => Number(b.literal) - Number(a.literal));
  const problems = [];
  let checked = 0;
  for (const r of recorded.slice(from)) {
    const path = decodeURIComponent(r.url.pathname);
    const hit = paths.find((x) => x.re.test(path) && doc.paths[x.p][r.method]);
    if (!hit) { problems.push(`${r.method} ${path}: no operation in the OpenAPI document`); continue; }
    const op = doc.paths[hit.p][r.method];
    let response = op.responses[String(r.status)];
    // Shared responses (`#/components/responses/…`).
    if (response?.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
    if (!response) { problems.push(`${r.method} ${hit.p}: status ${r.status} not documented`); continue; }
    const media = Object.entries(response.content ?? {})[0];
    if (!media) continue;
    const [mediaType, { schema }] = media;
    if (!r.type?.startsWith(mediaType)) problems.push(`${r.method} ${hit.p} ${r.status}: content-type ${r.type}, documented ${mediaType}`);
    const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"openapi#/components'));
    const validate = ajv.compile(rewritten);
    if (!validate(r.body)) problems.push(`${r.method} ${hit.p} ${r.status}: ${ajv.errorsText(validate.errors)}`);
    checked++;
  }
  return { checked, problems };
}
