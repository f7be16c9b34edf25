import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No module imports itself through others (issue 13): a cycle makes load order matter and hides which
 * capability depends on which. Type-only imports are erased, so they are left out.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const IMPORTS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).imports as Record<
  string,
  string
>;

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

function resolveSpec(from: string, spec: string): string | undefined {
  if (spec.startsWith('.')) return relative(ROOT, resolve(ROOT, dirname(from), spec));
  if (!spec.startsWith('#')) return undefined;
  const prefix = `${spec.split('/')[0]}/*`;
  const target = IMPORTS[prefix];
  return target
    ? relative(ROOT, resolve(ROOT, target.replace('*', spec.slice(prefix.length - 1))))
    : undefined;
}

/** Value imports of a module: `import … from`, `export … from`, `import '…'`, `import('…')`; not `import type`. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue;
    const spec = m[3] ?? m[4] ?? m[5]!;
    const target = resolveSpec(file, spec);
    if (target?.endsWith('.ts')) out.push(target);
  }
  return out;
}

/** Strongly connected components with more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe('import graph', () => {
  it('has no cycles among shared/, functions/, infra/ and local/', () => {
    const files = ['shared', 'functions', 'infra', 'local'].flatMap(filesUnder);
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    expect(graph.size).toBeGreaterThan(150);
    // Subpath (#doses/…) and relative imports are both followed.
    expect(graph.get('functions/doses/api.ts')).toContain('shared/doses/endpoints.ts');
    expect(graph.get('shared/platform/http/handler.ts')).toContain('shared/platform/http/endpoint.ts');
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
