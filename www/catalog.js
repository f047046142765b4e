// What a site's contracts let you choose from, read from a ContractBook snapshot (the whole
// site's, or the book the loaded payors' slices were merged into, book.toSnapshot()):
// services, the procedures priced under each service, locations and practitioners; and the
// payors, from the site's payor list when given (a slice holds only some of them).
const byCode = (a, b) => a.code.localeCompare(b.code);

/** The payors of a snapshot, in the payor list's shape. */
export const snapshotPayors = (snapshot) =>
  (snapshot.payors ?? []).map((p) => ({ payor: p.payor, type: p.type, display: p.display ?? p.payor, contract: p.id }));

export function catalog(snapshot, payors = snapshotPayors(snapshot)) {
  const services = new Map();
  const procedures = new Map(); // service code -> Map(procedure code -> description)
  const locations = new Set();
  const practitioners = new Set(snapshot.practitioners ?? []);
  const service = (code, display) => {
    if (!services.has(code)) services.set(code, { code, display: display ?? '' });
    else if (display && !services.get(code).display) services.get(code).display = display;
    if (!procedures.has(code)) procedures.set(code, new Map());
  };
  for (const p of snapshot.prices ?? []) {
    service(p.service, p.serviceDisplay);
    if (p.procedure) {
      const known = procedures.get(p.service).get(p.procedure);
      procedures.get(p.service).set(p.procedure, known || p.procedureDisplay || '');
    }
    if (p.location) locations.add(p.location);
    if (p.practitioner) practitioners.add(p.practitioner);
  }
  for (const s of snapshot.selfPay ?? []) practitioners.add(s.practitioner);
  const tariffs = snapshot.tariffs ?? [];
  // A service that only a tariff names can still be priced and checked.
  for (const t of tariffs) if (t.codeType === 'S') service(`ISC/${t.code}`, t.display);
  return {
    site: snapshot.site,
    payors,
    services: [...services.values()].sort(byCode),
    procedures: (serviceCode) =>
      [...(procedures.get(serviceCode) ?? new Map())].map(([code, display]) => ({ code, display })).sort(byCode),
    locations: [...locations].sort(),
    practitioners: [...practitioners].sort(),
    hasTariff: (payor, codeType, code) => tariffs.some((t) => t.payor === payor && t.codeType === codeType && t.code === code),
    priceCount: (snapshot.prices ?? []).length,
  };
}
