#!/usr/bin/env python3
"""Extracts every JSON request/response sample from ../shared/seeds into tests/fixtures/.

Each sample is written as <seed>_<nn>_<section>_<kind>.json where kind is `request` (a
`--data-raw` body) or `response`. Samples the documents print slightly broken (the
contract-type ValueSet lacks its opening brace) are repaired minimally and listed in
tests/fixtures/REPAIRS.md. Run again after a seed changes; the output is deterministic.
"""
import json, os, re, sys

SEEDS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'seeds')
OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures')

def slug(s):
    return re.sub(r'[^a-z0-9]+', '_', s.lower()).strip('_')[:60]

def balanced(text, start):
    depth, i, in_str, esc = 0, start, False, False
    while i < len(text):
        c = text[i]
        if in_str:
            if esc: esc = False
            elif c == '\\': esc = True
            elif c == '"': in_str = False
        elif c == '"': in_str = True
        elif c == '{': depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None

repairs = []
os.makedirs(OUT, exist_ok=True)
for name in sorted(os.listdir(SEEDS)):
    if not name.endswith('.txt'):
        continue
    seed = name[:3]
    text = open(os.path.join(SEEDS, name), encoding='utf-8').read()
    lines = text.split('\n')
    # map character offset -> most recent section heading (a short line followed by prose)
    headings, off = [], 0
    for idx, line in enumerate(lines):
        l = line.strip()
        if l and len(l) < 70 and not l.startswith(('{', '}', '"', '[', ']', '-', 'curl', '<', '|')) \
                and not l.endswith((',', ':', '.')) and re.match(r'^[A-Z][A-Za-z /\-()]+$', l) \
                and l not in ('Request', 'Response', 'Endpoint', 'Where', 'Error Handling', 'Response Processing', 'Units'):
            headings.append((off, l))
        off += len(line) + 1
    n = 0
    pos = 0
    while True:
        m = re.search(r'^\s*\{|--data-raw\s*\'\s*\{|^\s*"resourceType": "ValueSet",', text[pos:], re.M)
        if not m:
            break
        start = pos + m.start()
        kind = 'request' if 'data-raw' in m.group(0) else 'response'
        brace = text.index('{', start) if 'ValueSet' not in m.group(0) else None
        if brace is None:
            # the contract-type sample starts without its opening brace
            body_start = start + len(m.group(0)) - len('"resourceType": "ValueSet",')
            end = balanced('{' + text[body_start:], 0)
            raw = '{' + text[body_start:body_start + end - 1]
            repairs.append('contract-type ValueSet sample: added the missing opening brace')
            pos = body_start + end - 1
        else:
            end = balanced(text, brace)
            if end is None:
                break
            raw = text[brace:end]
            pos = end
        if re.search(r'^\s*\.\.\.\s*$', raw, re.M):
            # seed 004 elides the rest of the resource with "..." lines
            raw = re.sub(r'^\s*\.\.\.\s*\n', '', raw, flags=re.M)
            repairs.append('seed 004 identifier examples: dropped the "..." elision lines')
        try:
            json.loads(raw)
        except json.JSONDecodeError as e:
            print(f'skip unparsable sample in {name} at {start}: {e}', file=sys.stderr)
            continue
        # name a sample after the discovery key of its section (seeds 000/001), else "example"
        keys = re.findall(r'key ([a-z_]+)', text[:start])
        heading = keys[-1] if keys else 'example'
        n += 1
        fname = f'{seed}_{n:02d}_{slug(heading)}_{kind}.json'
        with open(os.path.join(OUT, fname), 'w', encoding='utf-8') as f:
            f.write(raw.strip() + '\n')
        print(fname)
with open(os.path.join(OUT, 'REPAIRS.md'), 'w') as f:
    f.write('# Repairs made while extracting seed samples\n\n' + ''.join(f'- {r}\n' for r in sorted(set(repairs))))
