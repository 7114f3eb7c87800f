/**
 * Lexical tokens of the Alloy configuration syntax. Names and binary precedences follow upstream's
 * `syntax/token` package (grafana/alloy, Apache-2.0) because diagnostics quote them: "expected IDENT, got BOOL".
 */
export enum Token {
  ILLEGAL,
  EOF,
  COMMENT,
  IDENT,
  NUMBER,
  FLOAT,
  STRING,
  BOOL,
  NULL,
  OR,
  AND,
  NOT,
  ASSIGN,
  EQ,
  NEQ,
  LT,
  LTE,
  GT,
  GTE,
  ADD,
  SUB,
  MUL,
  DIV,
  MOD,
  POW,
  LCURLY,
  RCURLY,
  LPAREN,
  RPAREN,
  LBRACK,
  RBRACK,
  COMMA,
  DOT,
  TERMINATOR,
}

const NAMES: Record<Token, string> = {
  [Token.ILLEGAL]: 'ILLEGAL',
  [Token.EOF]: 'EOF',
  [Token.COMMENT]: 'COMMENT',
  [Token.IDENT]: 'IDENT',
  [Token.NUMBER]: 'NUMBER',
  [Token.FLOAT]: 'FLOAT',
  [Token.STRING]: 'STRING',
  [Token.BOOL]: 'BOOL',
  [Token.NULL]: 'NULL',
  [Token.OR]: '||',
  [Token.AND]: '&&',
  [Token.NOT]: '!',
  [Token.ASSIGN]: '=',
  [Token.EQ]: '==',
  [Token.NEQ]: '!=',
  [Token.LT]: '<',
  [Token.LTE]: '<=',
  [Token.GT]: '>',
  [Token.GTE]: '>=',
  [Token.ADD]: '+',
  [Token.SUB]: '-',
  [Token.MUL]: '*',
  [Token.DIV]: '/',
  [Token.MOD]: '%',
  [Token.POW]: '^',
  [Token.LCURLY]: '{',
  [Token.RCURLY]: '}',
  [Token.LPAREN]: '(',
  [Token.RPAREN]: ')',
  [Token.LBRACK]: '[',
  [Token.RBRACK]: ']',
  [Token.COMMA]: ',',
  [Token.DOT]: '.',
  [Token.TERMINATOR]: 'TERMINATOR',
};

/** The name used in diagnostics and, for operators, the text the printer writes. */
export function tokenName(t: Token): string {
  return NAMES[t];
}

/** Binary operator precedence (0 = not a binary operator); `^` is right-associative and handled apart. */
export function binaryPrecedence(t: Token): number {
  switch (t) {
    case Token.OR:
      return 1;
    case Token.AND:
      return 2;
    case Token.EQ:
    case Token.NEQ:
    case Token.LT:
    case Token.LTE:
    case Token.GT:
    case Token.GTE:
      return 3;
    case Token.ADD:
    case Token.SUB:
      return 4;
    case Token.MUL:
    case Token.DIV:
    case Token.MOD:
      return 5;
    case Token.POW:
      return 6;
    default:
      return 0;
  }
}
