// Generates worker/openapi.json: the OpenAPI 3.1 description of the contracts API, the
// practitioner directory (search, reads, writes, deletes, photos) and the discovery documents, served by the worker at /openapi.json with its own origin as the
// server. The e2e tests validate every response they receive against it.
//   node scripts/openapi.mjs          write worker/openapi.json
//   node scripts/openapi.mjs --check  fail if the committed file is out of date
import { readFileSync, writeFileSync } from 'node:fs';

const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const fhir = (schema) => ({ 'application/fhir+json': { schema } });

// What the server enforces on a parameter value, as JSON Schema. Every value is trimmed
// first (Rust's trim: Unicode White_Space, spelt out below because regex dialects disagree
// on `\s`) and a blank one is MSG_PARAM_EMPTY, so every string has a non-space character;
// the patterns allow the surrounding spaces the server trims.
const WS = '\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const trimmed = (p) => `^[${WS}]*(?:${p})[${WS}]*$`;
const word = `[^/,${WS}]+`; // a scheme or code: no slash, comma or space
const codePattern = `${word}/${word}`;
// 1..max as a regex (no leading zeros): the numbers with fewer digits, then digit by digit.
const upTo = (max) => {
  const d = String(max);
  const alts = [];
  if (d.length > 1) alts.push(`[1-9][0-9]{0,${d.length - 2}}`);
  for (let i = 0; i < d.length; i++) {
    const digit = Number(d[i]);
    const lo = i === 0 ? 1 : 0;
    if (i === d.length - 1) { alts.push(`${d.slice(0, i)}[${lo}-${digit}]`); break; }
    if (digit > lo) alts.push(`${d.slice(0, i)}[${lo}-${digit - 1}][0-9]{${d.length - i - 1}}`);
  }
  return `(?:${alts.join('|')})`;
};
// Rust's integer parse takes a leading + and leading zeros.
const whole = (max) => ({ type: 'string', minLength: 1, pattern: trimmed(`\\+?0*${upTo(max)}`) });
const F = {
  text: { type: 'string', minLength: 1, pattern: `[^${WS}]` },
  // FHIR id (the directory's resources)
  id: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' },
  // Scheme/Code (ISC/E0000860, CCSD/A3000)
  code: { type: 'string', minLength: 3, pattern: trimmed(codePattern) },
  // Scheme/Code, comma separated, at most 32
  codes: { type: 'string', minLength: 3, pattern: trimmed(`${codePattern}[${WS}]*(?:,[${WS}]*${codePattern}[${WS}]*){0,31}`) },
  // 1, 2, ... as the worker (wasm32) reads a usize; a count above 100 is read as 100
  positive: whole(4294967295),
  // the directory's paging: page 1..1,000,000, count 1..100
  page: whole(1000000),
  count: whole(100),
  // money: a plain decimal, at most 2 places, 0 to 999,999,999,999.99
  money: { type: 'string', minLength: 1, pattern: trimmed('0*[0-9]{1,12}(?:\\.[0-9]{1,2})?|-0+(?:\\.0{1,2})?') },
  // FHIR date search value: optional gt/ge/lt/le/eq, a year first
  lastUpdated: { type: 'string', minLength: 4, pattern: trimmed('(?:gt|ge|lt|le|eq)?[0-9]{4}[-:.+Z0-9A-Za-z]*') },
  payorType: { type: 'string', enum: ['I', 'C'] },
  codeType: { type: 'string', enum: ['S', 'P'] },
  boolean: { type: 'string', enum: ['true', 'false'] },
};
// a bare code (a procedure or service code; of Scheme/Code the code is taken)
F.bareCode = F.text;
const q = (name, description, required = false, schema = F.text) => ({ name, in: 'query', required, description, schema });
const path = (name, description, schema = F.text) => ({ name, in: 'path', required: true, description, schema });
// Error responses are shared components (the document is embedded in the worker: keep it
// small). Each status names the documents' MSG_* codes it can carry, and its schema says so
// (issue[].details.coding[].code).
const errorCodes = {
  400: ['MSG_CANT_PARSE_CONTENT', 'MSG_MISSING_MANDATORY_PARAM', 'MSG_INVALID_FORMAT', 'MSG_PARAM_EMPTY', 'MSG_OP_NOT_ALLOWED', 'MSG_PARAM_INVALID'],
  401: ['MSG_AUTH_REQUIRED'],
  403: ['MSG_FORBIDDEN'],
  404: ['MSG_NOT_FOUND'],
  405: ['MSG_METHOD_NOT_ALLOWED'],
  412: ['MSG_VERSION_CONFLICT'],
  413: ['MSG_PAYLOAD_TOO_LARGE'],
  // and a resource the core's validation refuses: its issues carry the 400 codes too
  422: ['MSG_ENTITY_ALREADY_EXISTS', 'MSG_PARAM_INVALID', 'MSG_REFERENCE_ID_NOT_FOUND', 'MSG_DATABASE_ERROR', 'MSG_CANT_PARSE_CONTENT', 'MSG_MISSING_MANDATORY_PARAM', 'MSG_INVALID_FORMAT', 'MSG_PARAM_EMPTY', 'MSG_OP_NOT_ALLOWED'],
  500: ['MSG_INTERNAL_ERROR'],
};
const MSG_CODES = [...new Set([...Object.values(errorCodes).flat(), 'MSG_DELETED_ID'])];
const outcomeOf = (codes) => ({
  allOf: [ref('OperationOutcome'), {
    properties: { issue: { items: { properties: { details: { properties: { coding: { items: { properties: { code: { enum: codes } } } } } } } } } },
  }],
});
const errorResponses = {
  400: { description: 'MSG_CANT_PARSE_CONTENT, MSG_MISSING_MANDATORY_PARAM, MSG_INVALID_FORMAT, MSG_PARAM_EMPTY, MSG_OP_NOT_ALLOWED; MSG_PARAM_INVALID for an unknown query parameter' },
  401: { description: 'MSG_AUTH_REQUIRED: missing, malformed, expired or badly signed token (checked before any parameter or body)' },
  403: { description: 'MSG_FORBIDDEN: the token lacks the scope or the site' },
  404: { description: 'MSG_NOT_FOUND' },
  405: { description: 'MSG_METHOD_NOT_ALLOWED: the path exists but not with this method; Allow lists the methods it has (HEAD wherever GET)', headers: { Allow: { required: true, description: 'the route\'s methods, e.g. GET, HEAD, PUT', schema: { type: 'string', minLength: 3 } } } },
  412: { description: 'MSG_VERSION_CONFLICT: If-Match names a stale version' },
  413: { description: 'MSG_PAYLOAD_TOO_LARGE: body over 1 MiB' },
  422: { description: 'The documents\' 422s: MSG_REFERENCE_ID_NOT_FOUND (an unknown site, payor, practitioner, contract, set or tariff), MSG_ENTITY_ALREADY_EXISTS, MSG_PARAM_INVALID (a price over the tariff\'s maximum, a site that is not the body\'s), MSG_DATABASE_ERROR; a resource the FHIR / UK Core validation refuses (its issues, each with its code and field)' },
  500: { description: 'MSG_INTERNAL_ERROR (no internals)' },
};
for (const [status, r] of Object.entries(errorResponses)) r.content = fhir(outcomeOf(errorCodes[status]));
const errors = Object.fromEntries(Object.keys(errorResponses).map((status) => [status, { $ref: `#/components/responses/E${status}` }]));
const ok = (description, schema) => ({ 200: { description, content: fhir(schema) }, ...errors });
// The contracts' paging (a count above 100 is read as 100) and the directory's (refused).
const paging = [q('page', '1-based page number (default 1)', false, F.positive), q('count', 'page size (default 10, at most 100: more is read as 100); _count is a synonym', false, F.positive), q('_lastUpdated', 'FHIR date filter with gt/ge/lt/le/eq prefix', false, F.lastUpdated)];
const directoryPaging = [q('page', '1-based page number (default 1, at most 1,000,000)', false, F.page), q('count', 'page size (default 10, 1 to 100); _count is a synonym', false, F.count), q('_lastUpdated', 'FHIR date or instant with gt/ge/lt/le/eq prefix', false, F.lastUpdated)];
const secured = [{ bearer: [] }];
const op = (summary, keys, parameters, responses, extra = {}) => ({
  summary, description: `Discovery keys: ${keys.join(', ')}.`, security: secured, parameters, responses, ...extra,
});
const contractBody = { required: true, content: fhir(ref('Contract')) };

// The practitioner directory (seeds 000 and 004). Resources are described loosely (FHIR R4
// JSON, resourceType fixed): the core validates them; the schema pins what clients rely on.
const resource = (type, extra = {}) => ({
  type: 'object', required: ['resourceType'],
  properties: { resourceType: { const: type }, id: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' }, meta: ref('Meta'), ...extra },
});
const directoryTypes = ['Practitioner', 'PractitionerRole', 'Location', 'Schedule'];
const searchEntry = (matchTypes) => ({
  type: 'object', required: ['resource', 'search'],
  properties: {
    resource: { oneOf: matchTypes.map(ref) },
    search: {
      type: 'object', required: ['mode'],
      properties: {
        mode: { enum: ['match', 'include'] },
        extension: {
          type: 'array',
          items: {
            type: 'object', required: ['url', 'valueDistance'],
            properties: {
              url: { const: 'http://hl7.org/fhir/StructureDefinition/location-distance' },
              valueDistance: { type: 'object', required: ['value', 'unit'], properties: { value: { type: 'number', minimum: 0 }, unit: { type: 'string' }, system: { type: 'string' }, code: { type: 'string' } } },
            },
          },
        },
      },
    },
  },
});
const searchBundle = (matchTypes) => ({
  allOf: [ref('Bundle'), {
    required: ['link'],
    properties: {
      type: { const: 'searchset' },
      link: { type: 'array', minItems: 1, items: { type: 'object', properties: { relation: { enum: ['self', 'next', 'previous'] }, url: { type: 'string', format: 'uri' } } } },
      entry: { type: 'array', items: searchEntry(matchTypes) },
    },
  }],
});
const directorySchemas = {
  Practitioner: resource('Practitioner', {
    identifier: { type: 'array', items: { type: 'object', properties: { system: { type: 'string' }, value: { type: 'string' } } } },
    name: { type: 'array', items: { type: 'object', properties: { use: { type: 'string' }, family: { type: 'string' }, given: { type: 'array', items: { type: 'string' } } } } },
    gender: { enum: ['male', 'female', 'other', 'unknown'] }, extension: { type: 'array', items: ref('Extension') },
  }),
  PractitionerRole: resource('PractitionerRole', {
    practitioner: ref('Reference'), location: { type: 'array', items: ref('Reference') },
    specialty: { type: 'array', items: ref('CodeableConcept') }, extension: { type: 'array', items: ref('Extension') },
  }),
  Location: resource('Location', {
    position: { type: 'object', properties: { latitude: { type: 'number', minimum: -90, maximum: 90 }, longitude: { type: 'number', minimum: -180, maximum: 180 } } },
  }),
  Schedule: resource('Schedule', { actor: { type: 'array', minItems: 1, items: ref('Reference') } }),
  PractitionerBundle: searchBundle(['Practitioner']),
  PractitionerRoleBundle: searchBundle(['PractitionerRole', 'Practitioner', 'Location']),
  PhotoParameters: {
    type: 'object', required: ['resourceType', 'parameter'],
    properties: {
      resourceType: { const: 'Parameters' },
      parameter: {
        type: 'array', minItems: 1, maxItems: 1,
        items: {
          type: 'object', required: ['name', 'valueAttachment'],
          properties: {
            name: { const: 'photo' },
            valueAttachment: {
              type: 'object', required: ['contentType', 'size', 'title'],
              properties: { contentType: { enum: ['image/jpeg', 'image/png'] }, data: { type: 'string', contentEncoding: 'base64' }, size: { type: 'integer', minimum: 1, maximum: 1048576 }, title: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};
const directoryRead = ['practitioner.read'];
const directoryWrite = ['practitioner.write'];
const scoped = (scopes) => ({ security: [{ bearer: scopes }] });
// A comma-OR list: at most 10 alternatives, none blank (each at most 128 bytes).
const alt = `[^,]*[^,${WS}][^,]*`;
F.alternatives = { type: 'string', minLength: 1, pattern: `^${alt}(?:,${alt}){0,9}$` };
const gender = '(?:male|female|other|unknown)';
F.genders = { type: 'string', minLength: 4, pattern: trimmed(`${gender}(?:[${WS}]*,[${WS}]*${gender}){0,9}`) };
// near: latitude in [-90, 90], longitude in [-180, 180], a distance above 0, km/mi/m.
const lat = '-?(?:90(?:\\.0+)?|[1-8]?[0-9](?:\\.[0-9]+)?)';
const lon = '-?(?:180(?:\\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\\.[0-9]+)?)';
const dist = '(?:[0-9]*[1-9][0-9]*(?:\\.[0-9]+)?|[0-9]*\\.[0-9]*[1-9][0-9]*)';
const unit = '(?:km|mi|\\[mi_i\\]|m)';
const sp = `[${WS}]*`;
const nearWith = (sep) => `${lat}${sp}${sep}${sp}${lon}${sp}${sep}${sp}${dist}(?:${sp}${sep}${sp}${unit})?`;
F.near = { type: 'string', minLength: 5, pattern: trimmed(`${nearWith(':')}|${nearWith('\\|')}`) };
F.nearDistance = { type: 'string', minLength: 1, pattern: trimmed(`${dist}${sp}${unit}?`) };
// A string search value: each alternative has a letter or digit to search for.
const searchAlt = '[^,]*[^\\W_][^,]*';
F.words = { type: 'string', minLength: 1, pattern: `^${searchAlt}(?:,${searchAlt}){0,9}$` };
const token = (name, description) => q(name, `${description}; a comma means OR (at most 10)`, false, F.alternatives);
const string = (name, description) => q(name, `${description}; case- and accent-insensitive, from the start of any word (at most 4 words; a comma means OR)`, false, F.words);
const practitionerFilters = [
  q('gender', 'male, female, other or unknown (comma means OR)', false, F.genders),
  token('profession', 'profession code'),
  token('insurer', 'insurer code'), token('insurer-recognition-status', 'recognition status of the same insurer entry'),
  token('insurer-provider-number', 'provider number of the same insurer entry'),
  string('family', 'family name'), string('given', 'given name'), string('name', 'any part of any name (UK Core)'),
  q('address-postalcode', 'postcode prefix, case and spaces ignored'), q('address-postcode', 'alias of address-postalcode (UK Core)'),
  q('is-onlinebooking-available', 'true or false', false, F.boolean),
];
const practitionerSearchParams = [
  ...directoryPaging, ...practitionerFilters,
  token('specialty', 'specialty of the same profession entry'), token('subspecialty', 'subspecialty of the same profession entry'),
  token('regulator-reference', 'regulator reference (GMC, NMC, HCPC, ... number)'),
  token('identifier', 'system|value, |value or value (UK Core)'),
];
const roleSearchParams = [
  ...directoryPaging, ...practitionerFilters,
  token('practitioner', 'practitioner id or Practitioner/id'), token('location', 'location id or Location/id'),
  token('ages-treated', 'ages-treated code'), token('specialty', 'the role\'s specialty code'), token('subspecialty', 'the role\'s subspecialty code'),
  q('near', 'lat:lon:distance:units or lat|lon|distance|units (km default, mi, m): a great-circle radius', false, F.near),
  q('near-distance', 'the radius when near has none (e.g. 10, 10km, 5 mi)', false, F.nearDistance),
  q('_sort', 'distance:asc|desc, name:asc|desc, distance, -distance, name, -name', false, { type: 'string', enum: ['distance', '-distance', 'distance:asc', 'distance:desc', 'name', '-name', 'name:asc', 'name:desc'] }),
  q('_include', 'practitioner:location, PractitionerRole:practitioner, PractitionerRole:location', false, { type: 'string', enum: ['practitioner:location', 'PractitionerRole:practitioner', 'PractitionerRole:location'] }),
  q('distinct-by', 'practitioner or location: the first matching role of each', false, { type: 'string', enum: ['practitioner', 'location'] }),
];
const idParam = path('id', 'resource id ([A-Za-z0-9-.]{1,64})', F.id);
const written = (type) => ({
  200: { description: `the updated ${type} (meta.versionId incremented; ETag W/"<version>"), or with Prefer: return=OperationOutcome the validation warnings`, content: fhir({ oneOf: [ref(type), ref('OperationOutcome')] }) },
  201: { description: `the created ${type} (meta.versionId 1; Location header)`, content: fhir({ oneOf: [ref(type), ref('OperationOutcome')] }) },
  ...errors,
});
const writeBody = (type) => ({ requestBody: { required: true, content: fhir(ref(type)) } });
const deleted = { 200: { description: 'MSG_DELETED_ID', content: fhir(ref('OperationOutcome')) }, ...errors };
const directoryPaths = {};
for (const type of directoryTypes) {
  const searchable = type === 'Practitioner' || type === 'PractitionerRole';
  directoryPaths[`/${type}`] = {
    ...(searchable ? {
      get: {
        summary: `Search ${type} (filters AND together; page, count and the meta.tag count/page/maxCount triple; link self/next/previous)`,
        description: `Discovery key: search_${type.toLowerCase()}_endpoint. Unknown parameters are MSG_PARAM_INVALID unless Prefer: handling=lenient.`,
        ...scoped(directoryRead),
        parameters: type === 'Practitioner' ? practitionerSearchParams : roleSearchParams,
        responses: ok(`searchset Bundle of ${type}${type === 'PractitionerRole' ? ' (with included Practitioner and Location entries, search.mode include)' : ''}`, ref(`${type}Bundle`)),
      },
    } : {}),
    post: { summary: `Create a ${type} (validated; id assigned)`, ...scoped(directoryWrite), parameters: [], responses: written(type), ...writeBody(type) },
  };
  directoryPaths[`/${type}/{id}`] = {
    get: { summary: `Read a ${type} (ETag W/"<version>")`, ...scoped(directoryRead), parameters: [idParam], responses: ok(type, ref(type)) },
    put: {
      summary: `Create or replace a ${type} (validated; If-Match for optimistic concurrency, 412 when stale)`, ...scoped(directoryWrite),
      parameters: [idParam, { name: 'If-Match', in: 'header', required: false, description: 'W/"<versionId>"', schema: { type: 'string', pattern: trimmed('(?:W/)?(?:"[0-9]{1,15}"|[0-9]{1,15})') } }],
      responses: written(type), ...writeBody(type),
    },
    delete: { summary: `Delete a ${type} and its search rows${type === 'Practitioner' ? ' (and photo)' : ''}`, ...scoped(directoryWrite), parameters: [idParam], responses: deleted },
  };
}
directoryPaths['/Practitioner/$photo/{id}'] = {
  get: {
    summary: 'A practitioner\'s photo as the documents\' Parameters (base64 valueAttachment, real content type); none is 422 MSG_REFERENCE_ID_NOT_FOUND',
    description: 'Discovery key: get_practitionerphoto_endpoint.', ...scoped(directoryRead), parameters: [path('id', 'practitioner id', F.id)],
    responses: ok('the photo', ref('PhotoParameters')),
  },
  put: {
    summary: 'Upload a practitioner\'s photo: JPEG or PNG (checked by magic bytes), at most 1 MiB', ...scoped(directoryWrite), parameters: [path('id', 'practitioner id', F.id)],
    requestBody: { required: true, content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } }, 'image/png': { schema: { type: 'string', format: 'binary' } } } },
    responses: ok('the stored photo\'s Parameters (without data)', ref('PhotoParameters')),
  },
};

const doc = {
  openapi: '3.1.0',
  info: {
    title: 'practice-fhir API',
    version: /^version\s*=\s*"([^"]+)"/m.exec(readFileSync('Cargo.toml', 'utf8'))[1],
    description: 'UK private-practice contracts, prices, fee calculation and price validation (Healthcode contracts APIs), and the practitioner directory (Healthcode practice management APIs, UK Core Practitioner), with the documents\' error codes. Find every URL through /contract/.well-known/api-configuration and /.well-known/api-configuration. Every response that read or wrote the database carries `x-d1-bookmark` (the D1 session bookmark); send it back as a request header to read your own writes from any replica.',
  },
  servers: [{ url: 'http://127.0.0.1:8787' }],
  components: {
    responses: Object.fromEntries(Object.entries(errorResponses).map(([status, r]) => [`E${status}`, r])),
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RS256/ES256) with scope and sites claims' } },
    schemas: {
      Coding: { type: 'object', properties: { system: { type: 'string' }, code: { type: 'string' }, display: { type: 'string' }, id: { type: 'string' } } },
      CodeableConcept: { type: 'object', properties: { coding: { type: 'array', items: ref('Coding') }, text: { type: 'string' } } },
      Reference: { type: 'object', properties: { reference: { type: 'string' }, display: { type: 'string' }, id: { type: 'string' } } },
      Extension: {
        type: 'object', required: ['url'],
        properties: { url: { type: 'string' }, valueString: { type: 'string' }, valueBoolean: { type: 'boolean' }, extension: { type: 'array', items: ref('Extension') } },
      },
      Meta: { type: 'object', properties: { versionId: { type: 'string' }, lastUpdated: { type: 'string' }, tag: { type: 'array', items: ref('Coding') } } },
      Money: { type: 'object', required: ['value'], properties: { value: { type: 'number', minimum: 0 }, currency: { type: 'string' } } },
      ValuedItem: { type: 'object', properties: { entityCodeableConcept: ref('CodeableConcept'), net: ref('Money') } },
      Asset: {
        type: 'object',
        properties: {
          type: { type: 'array', items: ref('CodeableConcept') },
          context: { type: 'array', items: { type: 'object', properties: { reference: ref('Reference'), text: { type: 'string' } } } },
          valuedItem: { type: 'array', items: ref('ValuedItem') },
          extension: { type: 'array', items: ref('Extension') },
        },
      },
      Contract: {
        type: 'object', required: ['resourceType'],
        properties: {
          resourceType: { const: 'Contract' }, id: { type: 'string' }, meta: ref('Meta'),
          extension: { type: 'array', items: ref('Extension') },
          subject: { type: 'array', items: ref('Reference') }, authority: { type: 'array', items: ref('Reference') },
          type: ref('CodeableConcept'), subType: { type: 'array', items: ref('CodeableConcept') },
          term: { type: 'array', items: { type: 'object', properties: { asset: { type: 'array', items: ref('Asset') } } } },
        },
      },
      Bundle: {
        type: 'object', required: ['resourceType', 'type', 'total', 'meta'],
        properties: {
          resourceType: { const: 'Bundle' }, type: { enum: ['collection', 'searchset'] }, total: { type: 'integer', minimum: 0 },
          meta: ref('Meta'), link: { type: 'array', items: { type: 'object', required: ['relation', 'url'] } },
          entry: { type: 'array', items: { type: 'object', required: ['resource'], properties: { resource: { type: 'object', required: ['resourceType'] } } } },
        },
      },
      ContractBundle: {
        allOf: [ref('Bundle'), { properties: { entry: { type: 'array', items: { properties: { resource: ref('Contract') } } } } }],
      },
      ValueSet: {
        type: 'object', required: ['resourceType', 'expansion'],
        properties: {
          resourceType: { const: 'ValueSet' }, id: { type: 'string' }, name: { type: 'string' }, meta: ref('Meta'),
          expansion: { type: 'object', required: ['contains'], properties: { total: { type: 'integer' }, offset: { type: 'integer' }, contains: { type: 'array', items: ref('Coding') } } },
        },
      },
      OperationOutcome: {
        type: 'object', required: ['resourceType', 'issue'],
        properties: {
          resourceType: { const: 'OperationOutcome' },
          issue: {
            type: 'array', minItems: 1,
            items: {
              type: 'object', required: ['severity', 'code', 'diagnostics'],
              properties: {
                severity: { enum: ['fatal', 'error', 'warning', 'information'] },
                code: { enum: ['structure', 'required', 'invalid', 'not-supported', 'duplicate', 'not-found', 'exception', 'login', 'forbidden', 'conflict', 'too-long', 'informational'] },
                details: {
                  type: 'object', required: ['coding'],
                  properties: { coding: { type: 'array', minItems: 1, items: { type: 'object', required: ['code'], properties: { system: { type: 'string' }, code: { enum: MSG_CODES }, display: { type: 'string' } } } } },
                },
                diagnostics: { type: 'string', minLength: 1 }, expression: { type: 'array', items: { type: 'string' } }, location: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
      ...directorySchemas,
      ApiConfiguration: { type: 'object', additionalProperties: { type: 'string', format: 'uri' } },
    },
  },
  paths: {
    '/.well-known/api-configuration': { get: { summary: 'Practice management discovery document', security: [], responses: { 200: { description: 'every endpoint key with an absolute URL', content: { 'application/json': { schema: ref('ApiConfiguration') } } } } } },
    '/contract/.well-known/api-configuration': { get: { summary: 'Contracts discovery document', security: [], responses: { 200: { description: 'every endpoint key with an absolute URL', content: { 'application/json': { schema: ref('ApiConfiguration') } } } } } },
    '/contract/PRICING/$effective-prices': {
      get: op('Effective prices of a site', ['get_effective_prices_endpoint'],
        [q('site', 'site id', true), q('payor', 'payor id(s), comma separated'), q('location', 'location id'), q('practitioner', 'practitioner id'), q('service-code', 'ISC/E0000860'), ...paging],
        ok('merged prices with the contract that supplied each', ref('ContractBundle'))),
    },
    '/valueset/contract-type': { get: { summary: 'Contract types', security: [], parameters: paging, responses: ok('ValueSet', ref('ValueSet')) } },
    '/valueset/contract-subtype/{type}': { get: { summary: 'Contract sub types', security: [], parameters: [path('type', 'PRICING'), ...paging], responses: ok('ValueSet', ref('ValueSet')) } },
    '/contract/site/{site}': { get: op('Payors of a site (creates slf and na when missing)', ['get_payors_list_endpoint'], [path('site', 'site id'), ...paging], ok('payor contracts', ref('ContractBundle'))) },
    '/contract/site/{site}/$snapshot': {
      get: op('The site\'s ContractBook snapshot for the npm package, whole or as a per-payor slice (those payors, the slf and na fallbacks, self-pay lists, practitioners, the sets and tariffs that can apply); with _lastUpdated only what changed since, plus tombstones (`removed`). ETag is the slice\'s version; If-None-Match answers 304.', ['(none: practice-fhir extension)'],
        [path('site', 'site id'), q('payor', 'payor id(s), comma separated: a slice; payorId is a synonym'), q('_lastUpdated', 'only what changed, e.g. gt2026-12-01T10:00:00.000Z (the slice\'s slice.lastUpdated)', false, F.lastUpdated),
          { name: 'If-None-Match', in: 'header', required: false, description: 'the ETag of a slice already held', schema: { type: 'string' } }],
        { 200: { description: 'snapshot or slice', headers: { ETag: { description: 'the slice version', schema: { type: 'string' } } }, content: { 'application/json': { schema: { type: 'object', required: ['site'], properties: { site: { type: 'string' }, payors: { type: 'array' }, prices: { type: 'array' }, removed: { type: 'array', items: { type: 'object', required: ['kind', 'key'] } }, slice: { type: 'object' } } } } } },
          304: { description: 'unchanged since the ETag sent in If-None-Match' }, ...errors }),
      put: op('Replace a site\'s whole book (administrators; migrations)', ['(none: practice-fhir extension)'], [path('site', 'site id')],
        { 200: { description: 'stored', content: { 'application/json': { schema: { type: 'object', required: ['site', 'prices', 'version'] } } } }, ...errors },
        { requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['site'] } } } } }),
    },
    '/contract': { post: op('Add or update a payor or a contact as payor', ['add_payor_endpoint', 'add_contact_as_payor_endpoint'], [], ok('the payor contract', ref('Contract')), { requestBody: contractBody }) },
    '/contract/{site}': {
      delete: op('Delete a payor or a contact as payor (and its prices)', ['delete_payor_endpoint', 'delete_contact_as_payor_endpoint'],
        [path('site', 'site id'), q('payorId', 'Organization/<payor> or Person/<contact>; payerId is a synonym', true), q('payorType', 'I or C; payerType is a synonym', false, F.payorType), q('providerGroup', 'the payor contract id')],
        ok('MSG_DELETED_ID', ref('OperationOutcome'))),
    },
    '/contract/PRICING/$contract-price': {
      post: op('Set services, services with procedures and prices (site, location, practitioner bespoke), all assets or none',
        ['set_contract_service_endpoint', 'set_contract_service_withprocedure_endpoint', 'set_contract_price_endpoint', 'set_contract_price_withlocation_endpoint', 'set_contract_price_withpractitionerbespoke_endpoint'],
        [], ok('the Contract written to, with meta.versionId', ref('Contract')), { requestBody: contractBody }),
    },
    '/contract/PRICING/$contract-price/{site}': {
      delete: op('Delete a service, a service with procedure, or a price', ['delete_contract_service_endpoint', 'delete_contract_service_withprocedure_endpoint', 'delete_contract_price_endpoint'],
        [path('site', 'site id'), q('indStdCode', 'service code', true), q('indStdCodeScheme', 'service scheme', true), q('procedureCode', 'procedure code'), q('procedureScheme', 'procedure scheme'),
          q('payorId', 'narrow to one payor'), q('location', 'narrow to a location'), q('practitioner', 'narrow to a practitioner')],
        ok('MSG_DELETED_ID', ref('OperationOutcome'))),
    },
    '/contract/$calculate-fee': {
      get: op('Calculate a service fee, with multi-procedure rules for n procedures', ['calculate_service_fee_endpoint', 'calculate_service_fee_withprocedure_endpoint'],
        [q('site', 'site id', true), q('payor', 'payor id', true), q('service-type', 'ServiceScheme/ServiceCode', true, F.code), q('procedure-code', 'Scheme/Code, comma separated (at most 32)', false, F.codes),
          q('practitioner', 'practitioner id'), q('location', 'location id'), q('payor-type', 'I or C', false, F.payorType), q('provider-type', 'S'), q('breakdown', 'true for the per-procedure breakdown', false, F.boolean)],
        ok('the fee in term.asset.valuedItem.net', ref('Contract'))),
    },
    '/contract/PRICING/$validation': {
      get: op('Price validation tariff for a service (S) or procedure (P), and the verdict on a proposed fee', ['get_price_validation_for_service_endpoint', 'get_price_validation_for_procedure_endpoint'],
        [q('site', 'site id', true), q('payorId', 'payor id; payor is a synonym', true), q('code', 'service or procedure code', true, F.bareCode), q('codeType', 'S or P; payor-type is a synonym', true, F.codeType), q('practitioner', 'practitioner id'), q('fee', 'a proposed fee to judge (a plain decimal, at most 2 places)', false, F.money)],
        ok('the tariff with its messages and prices', ref('Contract'))),
      put: op('Load or replace a payor\'s tariffs (administrators)', ['(none: practice-fhir extension)'], [], ok('the stored tariffs', ref('Contract')), { requestBody: contractBody }),
    },
    '/contract/PRICING/$multi-proc': { get: op('Multi-procedure sets of a site', ['get_multi_proc_endpoint'], [q('site', 'site id; siteId is a synonym', true)], ok('the sets', ref('Contract'))) },
    '/contract/PRICING/$multi-proc-set': {
      get: op('One multi-procedure set', ['get_multi_proc_set_endpoint'], [q('siteId', 'site id; site is a synonym', true), q('providerGroup', 'set id', true)], ok('the set\'s records', ref('Contract'))),
      put: op('Replace an editable set\'s records', ['get_multi_proc_set_endpoint'], [], ok('the set', ref('Contract')), { requestBody: contractBody }),
    },
    ...directoryPaths,
    '/contract/audit': {
      get: op('A site\'s audit log, newest first', ['(none: practice-fhir extension)'], [q('site', 'site id', true), q('page', 'page', false, F.positive), q('count', 'page size (at most 100: more is read as 100)', false, F.positive)], ok('AuditEvent Bundle', ref('Bundle'))),
    },
  },
};

const text = JSON.stringify(doc, null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (readFileSync('worker/openapi.json', 'utf8') !== text) {
    console.error('worker/openapi.json is out of date: run node scripts/openapi.mjs');
    process.exit(1);
  }
} else {
  writeFileSync('worker/openapi.json', text);
}
