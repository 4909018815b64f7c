// The syntax tree of a display filter, as the parser builds it and the checker reads it. Every node
// keeps its columns so that an error about it can underline it.

export interface Span {
  start: number;
  end: number;
}

/** An unquoted word not yet resolved: a field or protocol name, or a value such as `10.0.0.0/8`. */
export interface WordNode extends Span {
  kind: 'word';
  text: string;
}

export interface StringNode extends Span {
  kind: 'string';
  /** `raw` for `r"..."`, whose backslashes were kept. */
  quoting: 'double' | 'raw' | 'char';
  value: string;
}

/** One range of a slice: offset and length (`i:j`), offsets (`i-j`, inclusive), or `i:` to the end. */
export interface SliceRange extends Span {
  from: number;
  /** Length for `length`, inclusive end offset for `end`; unused for `to-end`. */
  to: number;
  form: 'length' | 'end' | 'to-end';
}

export interface SliceNode extends Span {
  kind: 'slice';
  operand: ValueNode;
  ranges: SliceRange[];
}

export interface CallNode extends Span {
  kind: 'call';
  name: string;
  nameEnd: number;
  args: ValueNode[];
}

export interface BitwiseAndNode extends Span {
  kind: 'bitand';
  left: ValueNode;
  right: ValueNode;
}

export type ValueNode = WordNode | StringNode | SliceNode | CallNode | BitwiseAndNode;

/** Pairwise relations; the quantifier says whether any or all pairs of occurrences must satisfy it. */
export type Relation = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains' | 'matches';
export type Quantifier = 'any' | 'all';

export interface CompareNode extends Span {
  kind: 'compare';
  relation: Relation;
  quantifier: Quantifier;
  /** The operator as written, for messages. */
  operator: string;
  operatorSpan: Span;
  left: ValueNode;
  right: ValueNode;
}

export interface SetElement extends Span {
  low: ValueNode;
  /** Present for a range `low..high`. */
  high?: ValueNode;
}

export interface MembershipNode extends Span {
  kind: 'in';
  negated: boolean;
  left: ValueNode;
  elements: SetElement[];
}

export interface TestNode extends Span {
  kind: 'test';
  value: ValueNode;
}

export interface NotNode extends Span {
  kind: 'not';
  operand: ExpressionNode;
}

export interface LogicalNode extends Span {
  kind: 'and' | 'or' | 'xor';
  left: ExpressionNode;
  right: ExpressionNode;
}

export type ExpressionNode = CompareNode | MembershipNode | TestNode | NotNode | LogicalNode;
