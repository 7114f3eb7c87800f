/**
 * AST of an Alloy file. Positions are byte offsets into the source (NO_POS when absent); a file's LineIndex
 * turns them into line and column. The shapes mirror upstream's `syntax/ast` so that the printer can follow
 * upstream's walker exactly (it relies on the same start/end positions), except that identifiers are
 * fields of their node rather than nodes of their own: fewer objects make a large AST cheaper to build.
 */
import type { LineIndex } from './lexer';
import type { Token } from './token';
import { utf8Length } from './unicode';

export const NO_POS = -1;

export interface Comment {
  pos: number;
  /** Comment text including `//` or `/* *\/`, without carriage returns. */
  text: string;
}

/** Adjacent comments not separated by a blank line or by other tokens. */
export type CommentGroup = Comment[];

export interface AttributeStmt {
  kind: 'attribute';
  name: string;
  namePos: number;
  value: Expr;
}

export interface BlockStmt {
  kind: 'block';
  /** Name fragments: `prometheus.remote_write` is ['prometheus', 'remote_write']. */
  name: string[];
  namePos: number;
  /** Label without quotes ('' when absent or empty). */
  label: string;
  labelPos: number;
  body: Stmt[];
  lCurly: number;
  rCurly: number;
}

export type Stmt = AttributeStmt | BlockStmt;

export interface IdentifierExpr {
  kind: 'ident';
  name: string;
  pos: number;
}

export interface LiteralExpr {
  kind: 'literal';
  token: Token.STRING | Token.NUMBER | Token.FLOAT | Token.BOOL | Token.NULL;
  /** Source text of the literal, quotes included for strings. */
  value: string;
  pos: number;
}

export interface ArrayExpr {
  kind: 'array';
  elements: Expr[];
  lBrack: number;
  rBrack: number;
}

export interface ObjectField {
  /** The key; for a quoted key, the text between the quotes. */
  name: string;
  namePos: number;
  quoted: boolean;
  value: Expr;
}

export interface ObjectExpr {
  kind: 'object';
  fields: ObjectField[];
  lCurly: number;
  rCurly: number;
}

export interface AccessExpr {
  kind: 'access';
  value: Expr;
  name: string;
  namePos: number;
}

export interface IndexExpr {
  kind: 'index';
  value: Expr;
  index: Expr;
  lBrack: number;
  rBrack: number;
}

export interface CallExpr {
  kind: 'call';
  value: Expr;
  args: Expr[];
  lParen: number;
  rParen: number;
}

export interface UnaryExpr {
  kind: 'unary';
  op: Token;
  pos: number;
  value: Expr;
}

export interface BinaryExpr {
  kind: 'binary';
  op: Token;
  pos: number;
  left: Expr;
  right: Expr;
}

export interface ParenExpr {
  kind: 'paren';
  inner: Expr;
  lParen: number;
  rParen: number;
}

export type Expr =
  | IdentifierExpr
  | LiteralExpr
  | ArrayExpr
  | ObjectExpr
  | AccessExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr;

export interface File {
  name: string;
  body: Stmt[];
  comments: CommentGroup[];
  lines: LineIndex;
}

export type Node = Stmt | Expr | Comment;

/** Offset of the first byte of a node. Iterative, since operator and access chains can be long. */
export function startPos(node: Node): number {
  let n = node;
  for (;;) {
    if (!('kind' in n)) return n.pos; // Comment
    switch (n.kind) {
      case 'attribute':
      case 'block':
        return n.namePos;
      case 'ident':
      case 'literal':
      case 'unary':
        return n.pos;
      case 'array':
        return n.lBrack;
      case 'object':
        return n.lCurly;
      case 'paren':
        return n.lParen;
      case 'access':
      case 'index':
      case 'call':
        n = n.value;
        break;
      case 'binary':
        n = n.left;
        break;
    }
  }
}

/** Offset of the last byte of a node. Iterative, like startPos. */
export function endPos(node: Node): number {
  let n = node;
  for (;;) {
    if (!('kind' in n)) return n.pos + utf8Length(n.text) - 1; // Comment
    switch (n.kind) {
      case 'block':
        return n.rCurly;
      case 'literal':
        return n.pos + utf8Length(n.value) - 1;
      case 'array':
      case 'index':
        return n.rBrack;
      case 'object':
        return n.rCurly;
      case 'call':
      case 'paren':
        return n.rParen;
      case 'ident':
        return n.pos + utf8Length(n.name) - 1;
      case 'access':
        return n.namePos + utf8Length(n.name) - 1;
      case 'attribute':
      case 'unary':
        n = n.value;
        break;
      case 'binary':
        n = n.right;
        break;
    }
  }
}
