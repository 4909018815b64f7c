// JSON, RFC 8259, as Wireshark's JSON dissector shows it: objects, arrays and members, and for each
// member with a plain value its key, path and value. Nesting is bounded; bad JSON is an expert note.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol } from '../field.js';
import { latin1Text } from '../text.js';

/** Deeper documents are shown to this depth: hostile input cannot exhaust the stack. */
const MAX_DEPTH = 64;

const fields = defineFields('json', {
  object: { name: 'Object', type: 'none' },
  array: { name: 'Array', type: 'none' },
  member: { name: 'Member', type: 'string' },
  key: { name: 'Key', type: 'string' },
  path: { name: 'Path', type: 'string' },
  path_with_value: { name: 'Path with value', type: 'string' },
  member_with_value: { name: 'Member with value', type: 'string' },
  'value.string': { name: 'String value', type: 'string' },
  'value.number': { name: 'Number value', type: 'string' },
  'value.true': { name: 'True value', type: 'none' },
  'value.false': { name: 'False value', type: 'none' },
  'value.null': { name: 'Null value', type: 'none' },
});

const FIELD_LIST = Object.values(fields);
const protocol = defineProtocol('json', 'JavaScript Object Notation');

class JsonError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** A cursor over the document's bytes. */
class Reader {
  constructor(
    readonly view: ByteView,
    public at: number,
    readonly end: number,
  ) {}

  skipSpace(): void {
    const bytes = this.view.bytes;
    while (this.at < this.end && (bytes[this.at] === 0x20 || bytes[this.at] === 0x09 || bytes[this.at] === 0x0a || bytes[this.at] === 0x0d)) this.at++;
  }

  peek(): number {
    this.skipSpace();
    if (this.at >= this.end) throw new JsonError('unexpected end of JSON', this.at);
    return this.view.bytes[this.at];
  }

  expect(byte: number): void {
    if (this.peek() !== byte) throw new JsonError(`expected "${String.fromCharCode(byte)}"`, this.at);
    this.at++;
  }

  string(): string {
    this.expect(0x22);
    const start = this.at;
    const bytes = this.view.bytes;
    while (this.at < this.end && bytes[this.at] !== 0x22) this.at += bytes[this.at] === 0x5c ? 2 : 1;
    if (this.at >= this.end) throw new JsonError('unterminated string', start - 1);
    const raw = new TextDecoder().decode(bytes.subarray(start, this.at));
    this.at++;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  }

  /** A number, true, false or null, as its text. */
  literal(): string {
    const start = this.at;
    const bytes = this.view.bytes;
    while (this.at < this.end && /[-+.0-9eEa-z]/.test(String.fromCharCode(bytes[this.at]))) this.at++;
    if (this.at === start) throw new JsonError(`unexpected "${String.fromCharCode(bytes[start])}"`, start);
    return latin1Text(bytes.subarray(start, this.at));
  }
}

function value(reader: Reader, ctx: Dissection, path: string, key: string | undefined, depth: number): void {
  if (depth > MAX_DEPTH) throw new JsonError(`nesting deeper than ${MAX_DEPTH}`, reader.at);
  const first = reader.peek();
  const start = reader.at;
  if (first === 0x7b) {
    reader.at++;
    ctx.open(fields.object, start, 0);
    if (reader.peek() === 0x7d) reader.at++;
    else {
      for (;;) {
        const memberAt = reader.at;
        const name = reader.string();
        reader.expect(0x3a);
        ctx.open(fields.member, memberAt, 0, name);
        value(reader, ctx, `${path}/${name}`, name, depth + 1);
        // After the member's value, whatever it is, as Wireshark adds them.
        ctx.generated(fields.key, name);
        ctx.generated(fields.path, `${path}/${name}`);
        ctx.close();
        if (reader.peek() === 0x2c) {
          reader.at++;
          continue;
        }
        reader.expect(0x7d);
        break;
      }
    }
    ctx.close();
    return;
  }
  if (first === 0x5b) {
    reader.at++;
    ctx.open(fields.array, start, 0);
    if (reader.peek() === 0x5d) reader.at++;
    else {
      for (;;) {
        // An element is shown with value as a member named [] would be.
        value(reader, ctx, `${path}/[]`, '[]', depth + 1);
        if (reader.peek() === 0x2c) {
          reader.at++;
          continue;
        }
        reader.expect(0x5d);
        break;
      }
    }
    ctx.close();
    return;
  }
  const text = first === 0x22 ? reader.string() : reader.literal();
  const length = reader.at - start;
  if (key !== undefined) {
    ctx.generated(fields.path_with_value, `${path}:${text}`);
    ctx.generated(fields.member_with_value, `${key}:${text}`);
  }
  if (first === 0x22) ctx.add(fields['value.string'], start, length, text);
  else if (text === 'true') ctx.add(fields['value.true'], start, length, undefined);
  else if (text === 'false') ctx.add(fields['value.false'], start, length, undefined);
  else if (text === 'null') ctx.add(fields['value.null'], start, length, undefined);
  else ctx.add(fields['value.number'], start, length, text);
}

export const json: Dissector = {
  protocol,
  // The carrier names the column (HTTP/JSON), as Wireshark's JSON dissector appends to it.
  short: '',
  fields,
  bindings: [],
  dissect(view, offset, ctx) {
    // Parsing a body nobody reads (a filter on other fields, the UI's in-order pass) is skipped.
    if (!ctx.tree && !FIELD_LIST.some((field) => ctx.wants(field))) return;
    const end = view.captured;
    const reader = new Reader(view, offset, end);
    try {
      value(reader, ctx, '', undefined, 0);
    } catch (error) {
      if (!(error instanceof JsonError)) throw error;
      ctx.expert('warn', ExpertGroup.Malformed, `Invalid JSON: ${error.message}`, error.at, 0);
    }
  },
};
