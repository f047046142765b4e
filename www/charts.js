// The two pictures, as plain SVG (text alternatives beside them, no canvas): the procedures'
// contributions to the fee as a stacked bar, and a proposed fee on the payor's tariff scale.
import { gbp, pence } from './money.js';

const NS = 'http://www.w3.org/2000/svg';
function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Stacked bar: one segment per part ({ label, amount }), width proportional to what it adds.
 * Parts that add nothing are listed in the legend only.
 */
export function drawStack(svg, legend, desc, parts) {
  const total = parts.reduce((s, p) => s + pence(p.amount), 0);
  svg.replaceChildren();
  legend.replaceChildren();
  let x = 0;
  parts.forEach((part, i) => {
    const share = total > 0 ? pence(part.amount) / total : 0;
    const colour = `seg-${i % 6}`;
    if (share > 0) {
      const rect = el('rect', { x: x * 600, y: 0, width: share * 600, height: 36, class: colour });
      rect.append(el('title', {}, `${part.label}: ${gbp(part.amount)}`));
      svg.append(rect);
      x += share;
    }
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch ${colour}`;
    swatch.setAttribute('aria-hidden', 'true');
    item.append(swatch, `${part.label}: ${gbp(part.amount)}${total > 0 ? ` (${Math.round(share * 100)}%)` : ''}`);
    legend.append(item);
  });
  desc.textContent = `Contributions to the fee: ${parts.map((p) => `${p.label} adds ${gbp(p.amount)}`).join('; ')}.`;
}

/**
 * The tariff as bands (below low, low to high, high to maximum, above maximum) with ticks at
 * low, median, high and maximum, and the proposed fee as a marker coloured by its verdict.
 */
export function drawScale(svg, desc, tariff, fee, verdict, width = 600) {
  svg.replaceChildren();
  // Drawn at the width it is shown at, so that labels stay 12px on a phone too.
  const W = Math.max(300, width);
  const rows = W < 520 ? 4 : 2;
  svg.setAttribute('viewBox', `0 0 ${W} ${62 + rows * 14}`);
  const points = [['low', tariff.lowPrice], ['median', tariff.medianPrice], ['high', tariff.highPrice], ['maximum', tariff.maximumPrice]]
    .filter(([, v]) => v !== undefined);
  const feeP = fee === null ? 0 : pence(fee);
  const top = Math.max(feeP, ...points.map(([, v]) => pence(v)), 1) * 1.15;
  const xOf = (p) => 10 + (p / top) * (W - 20);
  const X = (p) => xOf(pence(p));
  const low = tariff.lowPrice ?? 0;
  const high = tariff.highPrice ?? tariff.maximumPrice ?? null;
  const max = tariff.maximumPrice ?? null;
  const band = (from, to, cls, label) => {
    if (to <= from) return;
    const r = el('rect', { x: xOf(from), y: 30, width: xOf(to) - xOf(from), height: 22, class: cls });
    r.append(el('title', {}, label));
    svg.append(r);
  };
  band(0, pence(low), 'band-below', 'Below the low price');
  if (high !== null) band(pence(low), pence(high), 'band-ok', 'Within the range');
  if (high !== null && max !== null) band(pence(high), pence(max), 'band-warn', 'Above the high price: accepted with a warning');
  if (max !== null) band(pence(max), top, 'band-reject', 'Above the maximum: rejected');
  points.forEach(([name, v], i) => {
    const x = X(v);
    svg.append(el('line', { x1: x, x2: x, y1: 28, y2: 56, class: 'tick' }));
    const labelX = Math.min(W - 70, Math.max(70, x));
    svg.append(el('text', { x: labelX, y: 70 + (i % rows) * 14, 'text-anchor': 'middle', class: 'tick-label' }, `${name} ${gbp(v)}`));
  });
  if (fee !== null) {
    const x = xOf(feeP);
    const cls = verdict === 'rejected' ? 'marker-reject' : verdict === 'accepted-with-warning' ? 'marker-warn' : 'marker-ok';
    const g = el('g', { class: `marker ${cls}` });
    g.append(el('line', { x1: x, x2: x, y1: 14, y2: 56 }), el('path', { d: `M${x - 7},4 L${x + 7},4 L${x},16 Z` }));
    g.append(el('title', {}, `Proposed ${gbp(fee)}`));
    svg.append(g);
  }
  const range = points.map(([n, v]) => `${n} ${gbp(v)}`).join(', ');
  desc.textContent = fee === null ? `Tariff: ${range}.` : `Proposed fee ${gbp(fee)} on the tariff (${range}): ${verdictText(verdict)}.`;
}

/** The verdict codes in words. */
export function verdictText(verdict) {
  return { accepted: 'accepted', 'accepted-with-warning': 'accepted with a warning', rejected: 'rejected' }[verdict] ?? verdict;
}
