// Money on the page: amounts arrive as JSON numbers with 2 decimal places (the API's
// format) or as decimal strings, and are shown as GBP. Intl.NumberFormat formats a decimal
// string exactly, so no amount goes through floating-point arithmetic on the way to the screen.
const GBP = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

/** A decimal string with 2 places, from the API's JSON number or a decimal string. */
export function decimal(value) {
  return typeof value === 'number' ? value.toFixed(2) : String(value);
}

/** £1,234.50 */
export function gbp(value) {
  return value === undefined || value === null || value === '' ? '—' : GBP.format(decimal(value));
}

/** A FHIR factor (1.25) as a percentage string ("125"), by moving the decimal point. */
export function percent(factor) {
  const [whole, frac = ''] = String(factor).split('.');
  const digits = `${whole}${frac.padEnd(2, '0').slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = frac.slice(2);
  return rest ? `${digits}.${rest}` : digits;
}

/** Is this what a person types for a fee: pounds, optionally with 1 or 2 decimal places? */
export function isFee(text) {
  return /^\d{1,9}(\.\d{1,2})?$/.test(text.trim());
}

/** Pence as an integer (for comparing and scaling in charts, never for sums shown as money). */
export function pence(value) {
  const [whole, frac = ''] = decimal(value).split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
}
