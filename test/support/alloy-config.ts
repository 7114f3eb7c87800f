import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../alloy-lint';
import type { BlockStmt, Expr, Stmt } from '../../alloy-lint/syntax/ast';

/** A component or config block of a folder, with its body's attributes rendered as text. */
export interface Component {
  readonly file: string;
  /** `otelcol.exporter.otlp`, `logging`, ... */
  readonly name: string;
  readonly label: string;
  readonly block: BlockStmt;
}

/** Compact source text of an expression, enough to compare values in tests: `sys.env("X")`, `[a.b.input]`. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'ident':
      return e.name;
    case 'access':
      return `${exprText(e.value)}.${e.name}`;
    case 'index':
      return `${exprText(e.value)}[${exprText(e.index)}]`;
    case 'call':
      return `${exprText(e.value)}(${e.args.map(exprText).join(', ')})`;
    case 'array':
      return `[${e.elements.map(exprText).join(', ')}]`;
    case 'object':
      return `{${e.fields.map((f) => `${f.quoted ? JSON.stringify(f.name) : f.name} = ${exprText(f.value)}`).join(', ')}}`;
    case 'unary':
      return `${e.op}${exprText(e.value)}`;
    case 'binary':
      return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'paren':
      return `(${exprText(e.inner)})`;
  }
}

/** Every top-level block of the `*.alloy` files of a folder (Alloy loads them as one configuration). */
export function componentsOf(dir: string): Component[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.alloy'))
    .sort()
    .flatMap((file) => {
      const { ast, diagnostics } = parse(readFileSync(join(dir, file)), file);
      if (diagnostics.length > 0) throw new Error(`${file}: ${diagnostics[0].message}`);
      return ast.body
        .filter((s): s is BlockStmt => s.kind === 'block')
        .map((block) => ({ file, name: block.name.join('.'), label: block.label, block }));
    });
}

/** The nested block at a path of block names, e.g. `grpc > tls`, or undefined. */
export function nestedBlock(block: BlockStmt, path: string): BlockStmt | undefined {
  let current: BlockStmt | undefined = block;
  for (const name of path.split(' > ')) {
    current = current?.body.find((s): s is BlockStmt => s.kind === 'block' && s.name.join('.') === name);
  }
  return current;
}

/** Attributes of a block as name → rendered value. */
export function attributes(block: BlockStmt | undefined): Record<string, string> {
  return Object.fromEntries(
    (block?.body ?? [])
      .filter((s): s is Extract<Stmt, { kind: 'attribute' }> => s.kind === 'attribute')
      .map((a) => [a.name, exprText(a.value)]),
  );
}

/** The rendered value of every attribute in a block and its nested blocks. */
export function allAttributeTexts(block: BlockStmt): string[] {
  return block.body.flatMap((s) => (s.kind === 'attribute' ? [exprText(s.value)] : allAttributeTexts(s)));
}
