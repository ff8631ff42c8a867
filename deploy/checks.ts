/**
 * Checks that the code and the deployment declaration agree (used by deploy/deploy.test.ts):
 * - openapiCalls / envReads: what a function bundle calls and reads (a static scan of the esbuild bundle, which
 *   holds exactly the code the function ships);
 * - queryProblems: every database query in server/ and cloudfunctions/ that filters or sorts on fields no
 *   declared index serves (a TypeScript syntax scan of `.collection(X)…where(…)…orderBy(…)` chains).
 */
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { BOUNDED_COLLECTIONS, CollectionDecl, SELECTIVE_FIELDS } from './collections';

/** `cloud.openapi.<ns>.<api>` (also through getCloud().openapi…) in a bundle: "ns.api". */
export function openapiCalls(js: string): string[] {
  return [...new Set([...js.matchAll(/\bopenapi\s*\.\s*([A-Za-z]+)\s*\.\s*([A-Za-z]+)\s*\(/g)].map((m) => `${m[1]}.${m[2]}`))].sort();
}

/** `process.env.X` reads in a bundle; `dynamic` counts `process.env[…]` (which no scan can follow). */
export function envReads(js: string): { names: string[]; dynamic: number } {
  const names = [...new Set([...js.matchAll(/\bprocess\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))].sort();
  const dynamic = [...js.matchAll(/\bprocess\.env\s*\[/g)].length;
  return { names, dynamic };
}

export interface QuerySite {
  file: string;
  line: number;
  collection: string | null;
  filter: string[] | null;
  sort: string[];
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p));
    else if (e.name.endsWith('.ts') && !/\.test\.ts$|\.testutil\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

function propName(n: ts.PropertyName): string | null {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  return null;
}

/** String constants (`const X = 'name'`, also `X = OTHER`) across the files, by identifier. */
function stringConstants(sources: ts.SourceFile[]): Map<string, string> {
  const raw = new Map<string, ts.Expression>();
  for (const sf of sources) {
    const visit = (n: ts.Node) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isStringLiteral(n.initializer) || ts.isIdentifier(n.initializer))) {
        if (!raw.has(n.name.text)) raw.set(n.name.text, n.initializer);
      }
      // import { TRADES as MARKET_TRADES_COLL }: the alias stands for the original
      if (ts.isImportSpecifier(n) && n.propertyName && !raw.has(n.name.text)) raw.set(n.name.text, ts.factory.createIdentifier(n.propertyName.text));
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  const out = new Map<string, string>();
  const resolve = (name: string, depth = 0): string | null => {
    const e = raw.get(name);
    if (!e || depth > 5) return null;
    if (ts.isStringLiteral(e)) return e.text;
    return resolve((e as ts.Identifier).text, depth + 1);
  };
  for (const k of raw.keys()) {
    const v = resolve(k);
    if (v !== null) out.set(k, v);
  }
  return out;
}

/** Field names an object-literal filter can hold, following identifiers to their declaration and assignments. */
function filterKeys(e: ts.Expression, scope: ts.Node, depth = 0): string[] | null {
  if (depth > 4) return null;
  if (ts.isParenthesizedExpression(e)) return filterKeys(e.expression, scope, depth + 1);
  if (ts.isConditionalExpression(e)) {
    const a = filterKeys(e.whenTrue, scope, depth + 1);
    const b = filterKeys(e.whenFalse, scope, depth + 1);
    return a && b ? [...new Set([...a, ...b])] : null;
  }
  if (ts.isObjectLiteralExpression(e)) {
    const keys: string[] = [];
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) {
        const k = propName(p.name);
        if (k === null) return null;
        keys.push(k);
      } else if (ts.isSpreadAssignment(p)) {
        const inner = filterKeys(p.expression, scope, depth + 1);
        if (!inner) return null;
        keys.push(...inner);
      } else return null;
    }
    return keys;
  }
  // _.and([a, b]) / _.or([a, b]): the fields of every branch
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ['and', 'or'].includes(e.expression.name.text) && e.arguments.length === 1 && ts.isArrayLiteralExpression(e.arguments[0])) {
    const keys: string[] = [];
    for (const el of e.arguments[0].elements) {
      const k = filterKeys(el, scope, depth + 1);
      if (!k) return null;
      keys.push(...k);
    }
    return [...new Set(keys)];
  }
  if (ts.isIdentifier(e)) {
    // the declaration in the enclosing function (a variable, or a parameter typed with an object type), every
    // later `name = …`, and every `name.k = …` / `name['k'] = …` there
    const inits: ts.Expression[] = [];
    const extra: string[] = [];
    let typed: string[] | null = null;
    const visit = (n: ts.Node) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === e.text && n.initializer) inits.push(n.initializer);
      if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === e.text && n.type && ts.isTypeLiteralNode(n.type)) {
        typed = n.type.members.map((m) => (m.name ? propName(m.name as ts.PropertyName) : null)).filter((x): x is string => x !== null);
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const l = n.left;
        if (ts.isIdentifier(l) && l.text === e.text && n.right !== e) inits.push(n.right);
        if (ts.isPropertyAccessExpression(l) && ts.isIdentifier(l.expression) && l.expression.text === e.text) extra.push(l.name.text);
        if (ts.isElementAccessExpression(l) && ts.isIdentifier(l.expression) && l.expression.text === e.text && ts.isStringLiteral(l.argumentExpression)) extra.push(l.argumentExpression.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(scope);
    if (typed) return [...new Set([...(typed as string[]), ...extra])];
    if (!inits.length) return null;
    const keys: string[] = [...extra];
    for (const i of inits) {
      const k = filterKeys(i, scope, depth + 1);
      if (!k) return null;
      keys.push(...k);
    }
    return [...new Set(keys)];
  }
  return null;
}

function enclosingFunction(n: ts.Node): ts.Node {
  let p: ts.Node | undefined = n.parent;
  while (p && !ts.isFunctionLike(p) && !ts.isSourceFile(p)) p = p.parent;
  return p ?? n.getSourceFile();
}

/** Every `.collection(X)` chain with a where/orderBy in the given folders. */
export function querySites(root: string, dirs: string[]): QuerySite[] {
  const files = dirs.flatMap((d) => listTs(path.join(root, d)));
  const sources = files.map((f) => ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2020, true));
  const consts = stringConstants(sources);
  const sites: QuerySite[] = [];
  for (const sf of sources) {
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'collection' && n.arguments.length === 1) {
        const a = n.arguments[0];
        const collection = ts.isStringLiteral(a) ? a.text : ts.isIdentifier(a) ? consts.get(a.text) ?? null : null;
        let filter: string[] | null = [];
        const sort: string[] = [];
        let hasQuery = false;
        // climb the chain: collection(X).where(…).orderBy(…)…
        let cur: ts.Node = n;
        while (ts.isPropertyAccessExpression(cur.parent) && ts.isCallExpression(cur.parent.parent) && cur.parent.parent.expression === cur.parent) {
          const call = cur.parent.parent;
          const m = cur.parent.name.text;
          if (m === 'where') {
            hasQuery = true;
            const keys = call.arguments[0] ? filterKeys(call.arguments[0], enclosingFunction(call)) : [];
            filter = keys === null || filter === null ? null : [...filter, ...keys];
          } else if (m === 'orderBy') {
            hasQuery = true;
            const f = call.arguments[0];
            if (f && ts.isStringLiteral(f)) sort.push(f.text);
          }
          cur = call;
        }
        if (hasQuery) {
          const line = sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
          sites.push({ file: path.relative(root, sf.fileName), line, collection, filter, sort });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return sites;
}

/**
 * A query is served when: its collection is declared; and either it is bounded (BOUNDED_COLLECTIONS), or a
 * declared index starts with one of its filter fields — one that uses its selective field (SELECTIVE_FIELDS)
 * when it has one — or (no filter) an index starts with its first sort field. `_id` is always indexed. A query with neither filter nor sort reads the whole collection on purpose.
 */
export function queryProblems(sites: QuerySite[], collections: CollectionDecl[]): string[] {
  const byName = new Map(collections.map((c) => [c.name, c]));
  const problems: string[] = [];
  for (const s of sites) {
    const at = `${s.file}:${s.line}`;
    if (s.collection === null) {
      problems.push(`${at}: cannot tell which collection (use a string constant)`);
      continue;
    }
    const c = byName.get(s.collection);
    if (!c) {
      problems.push(`${at}: collection "${s.collection}" is not declared in localcloud/indexes.json`);
      continue;
    }
    if (s.filter === null) {
      problems.push(`${at}: cannot read the filter of a ${s.collection} query (write it as an object literal or a local variable)`);
      continue;
    }
    if (BOUNDED_COLLECTIONS[s.collection]) continue;
    const filter = s.filter.filter((f) => f !== '_id');
    const sort = s.sort.filter((f) => f !== '_id');
    const firsts = new Set(c.indexes.map((i) => i.keys[0]));
    if (filter.length) {
      // the part of each index the filter can use: its leading keys that the filter holds
      const usable = c.indexes.map((i) => {
        const n = i.keys.findIndex((k) => !filter.includes(k));
        return i.keys.slice(0, n === -1 ? i.keys.length : n);
      });
      const selective = filter.filter((f) => SELECTIVE_FIELDS.includes(f));
      if (!usable.some((u) => u.length > 0)) problems.push(`${at}: ${s.collection} filtered on ${filter.join(', ')} — no declared index starts with any of them`);
      else if (selective.length && !usable.some((u) => u.some((k) => selective.includes(k)))) {
        problems.push(`${at}: ${s.collection} filtered on ${selective.join(', ')} (one user's documents) — no declared index uses it, so the query reads everyone's`);
      }
    } else if (sort.length && !firsts.has(sort[0])) {
      problems.push(`${at}: ${s.collection} sorted on ${sort[0]} — no declared index starts with it`);
    }
  }
  return problems;
}
