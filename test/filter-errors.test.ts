// Every message a bad filter can get, with the columns it underlines; and the API the UI builds on.
import test from 'ava';
import { compileFilter, describeFilterError } from '../src/filter/display-filter.js';
import { MAX_DEPTH, MAX_NESTING } from '../src/filter/parser.js';
import { registry } from './helpers/decode.js';

/** [filter, message, start, end] */
const ERRORS: readonly (readonly [string, string, number, number])[] = [
  ['ip.sorc', '"ip.sorc" is not a valid protocol or protocol field.', 0, 7],
  ['tcp && ip.sorc == 1', '"ip.sorc" is not a valid protocol or protocol field.', 7, 14],
  ['"abc"', '"abc" is not a valid protocol or protocol field.', 0, 5],
  ['ip.src ==', 'Unexpected end of filter expression.', 9, 9],
  ['tcp and', 'Unexpected end of filter expression.', 7, 7],
  ['(tcp', 'Unexpected end of filter expression.', 4, 4],
  ['and tcp', '"and" was unexpected in this context.', 0, 3],
  ['tcp)', '")" was unexpected in this context.', 3, 4],
  ['tcp.port == 80 443', '"443" was unexpected in this context.', 15, 18],
  ['tcp.port = 80', '"=" was unexpected in this context.', 9, 10],
  ['tcp.port in {80,}', '"}" was unexpected in this context.', 16, 17],
  ['all tcp.flags.syn', 'Unexpected end of filter expression.', 17, 17],
  ['ip.src == abc', '"abc" is not a valid IPv4 address.', 10, 13],
  ['ip.addr == 10.0.0.1/33', 'Netmask bits in a CIDR IPv4 address should be <= 32, not 33', 11, 22],
  ['ipv6.addr == fd00::/129', 'Prefix in a IPv6 address should be <= 128, not 129', 13, 23],
  ['ipv6.addr == fd00:::1', '"fd00:::1" is not a valid IPv6 address.', 13, 21],
  ['eth.addr == 00:11:22', '"00:11:22" contains too few bytes to be a valid Ethernet address.', 12, 20],
  ['eth.addr == 00:11:22:33:44:55:66', '"00:11:22:33:44:55:66" contains too many bytes to be a valid Ethernet address.', 12, 32],
  ['frame[12:2] == 0x0800', '"0x0800" is not a valid byte string.', 15, 21],
  ['tcp.port == 70000', '"70000" too big for this field, maximum 65535.', 12, 17],
  ['tcp.port == 99999999999999999999999', '"99999999999999999999999" causes an integer overflow.', 12, 35],
  ['tcp.port == 08', '"08" is not a valid number.', 12, 14],
  ['tcp.port == "80"', 'Unsigned integer (2 bytes) cannot be converted from a string ("80").', 12, 16],
  ['ip.addr == "10.0.0.1"', 'IPv4 address cannot be converted from a string ("10.0.0.1").', 11, 21],
  ['ip.proto == nonexistent', '"nonexistent" cannot be found among the possible values for ip.proto.', 12, 23],
  ['ip.flags.df == "yes"', '"yes" cannot be found among the possible values for ip.flags.df.', 15, 20],
  ['frame.time_relative > 1e3', '"1e3" is not a valid time.', 22, 25],
  ['80 == tcp.port', 'Left side of "==" expression must be a field or function, not 80.', 0, 2],
  ['"x" == dns.qry.name', 'Left side of "==" expression must be a field or function, not "x".', 0, 3],
  ['ip.len > ip.src', 'ip.len and ip.src are not of compatible types.', 9, 15],
  ['ip.src contains 10', 'ip.src (type=IPv4 address) cannot participate in contains comparison.', 0, 6],
  ['tcp.port matches "8"', 'tcp.port (type=Unsigned integer (2 bytes)) cannot participate in matches comparison.', 0, 8],
  ['dns.qry.name matches abc', 'Matches requires a double quoted string on the right side.', 21, 24],
  ['dns.qry.name matches "("', 'Regex compilation error: Unterminated group.', 21, 24],
  ['tcp.srcport[0:1] == 00', '"tcp.srcport" is a Unsigned integer (2 bytes) and cannot be sliced into a sequence of bytes.', 0, 16],
  ['frame[0:0] == 00', "Range 0:0 isn't valid because length 0 isn't positive", 6, 9],
  ['frame[5-4] == 00', "Range 5-4 isn't valid because 5 is greater or equal than 4", 6, 9],
  ['frame[1:2:3] == 00', '"1:2:3" is not a valid range.', 6, 11],
  ['frame[a] == 00', '"a" is not a valid number.', 6, 7],
  ['frame[0:2', 'Unexpected end of filter expression.', 9, 9],
  ['len(dns.qry.name)', 'You cannot test whether a function is present.', 0, 17],
  ['foo(tcp.port) == 1', "Function 'foo' does not exist", 0, 3],
  ['upper(tcp.port) == "1"', 'Only string type fields can be used as parameter for upper()', 6, 14],
  ['len("abc") == 3', 'Only fields can be used as parameter for len()', 4, 9],
  ['upper(dns.qry.name, dns.qry.name) == "x"', 'Function upper can only accept 1 arguments.', 0, 33],
  ['string(dns.qry.name) == "x"', 'String conversion for field "dns.qry.name" is not supported', 7, 19],
  ['frame & 00 == 00', 'FT_PROTOCOL cannot &.', 0, 10],
  ['tcp.flags.syn & 1', 'FT_BOOLEAN cannot &.', 0, 17],
  ['frame[0:1] in {00}', 'Only a field may be tested for membership in a set.', 0, 10],
  ['frame contains "a\\qb"', '\\q is not a valid character escape sequence', 17, 19],
  ['dns.qry.name == "abc', 'The string is missing its closing double quote.', 16, 20],
  ["frame.len > 'AB'", "'AB' is too long to be a valid character constant.", 12, 16],
  ['tcp.port $ 80', '"$" was unexpected in this context.', 9, 10],
  ['dns.qry.name matches "(a+)+$"', 'A repeated group that repeats inside, such as (a+)+, can take exponential time: tsshark refuses it.', 21, 29],
  ['frame matches "((ab)*c)*"', 'A repeated group that repeats inside, such as (a+)+, can take exponential time: tsshark refuses it.', 14, 25],
];

for (const [filter, message, start, end] of ERRORS) {
  test(`error: ${filter}`, (t) => {
    const result = compileFilter(filter, registry);
    if (result.ok) return t.fail('accepted');
    t.is(result.error.message, message);
    t.deepEqual([result.error.start, result.error.end], [start, end]);
  });
}

test('an error is shown as tshark shows it: message, filter, and the span underlined', (t) => {
  const result = compileFilter('tcp && ip.sorc == 1', registry);
  if (result.ok) return t.fail('accepted');
  t.is(describeFilterError('tcp && ip.sorc == 1', result.error), '"ip.sorc" is not a valid protocol or protocol field.\n    tcp && ip.sorc == 1\n           ^~~~~~~');
});

test('an empty filter passes every frame and reads no field', (t) => {
  const result = compileFilter('   ', registry);
  t.true(result.ok && result.filter.fields.length === 0);
});

test('a filter asks the dissectors for just the fields it reads, each once', (t) => {
  const result = compileFilter('ip.src == 10.0.0.1 && (tcp.port in {80, 443} || len(dns.qry.name) > 3) && ip.src != 10.0.0.2', registry);
  if (!result.ok) return t.fail(result.error.message);
  t.deepEqual(result.filter.fields.map((f) => f.abbrev).sort(), ['dns.qry.name', 'ip.src', 'tcp.port']);
});

test('patterns that repeat only once per group are accepted', (t) => {
  for (const pattern of ['^www\\\\.', '(ab)+', '[(+]+', '\\\\(a+\\\\)+', '(a|b)*c+', '(?-i)EXAMPLE', 'x{2,}(yz)?']) {
    const result = compileFilter(`dns.qry.name matches "${pattern}"`, registry);
    t.true(result.ok, pattern);
  }
});

test('hostile nesting is a filter error with its column, never a stack overflow', (t) => {
  const deep = '('.repeat(20_000) + 'ip' + ')'.repeat(20_000);
  const nested = compileFilter(deep, registry);
  if (nested.ok) return t.fail('accepted');
  t.is(nested.error.message, `The filter nests parentheses, "not" or function calls more than ${MAX_NESTING} levels deep.`);
  t.deepEqual([nested.error.start, nested.error.end], [MAX_NESTING, MAX_NESTING + 1]);
  const nots = compileFilter('not '.repeat(20_000) + 'ip', registry);
  t.false(nots.ok);
  t.true(compileFilter('('.repeat(MAX_NESTING) + 'ip' + ')'.repeat(MAX_NESTING), registry).ok);
  // A long chain needs no recursion to parse, but the checker and the compiled filter recurse over it.
  t.true(compileFilter(Array(MAX_DEPTH / 2).fill('ip').join(' and '), registry).ok);
  const chain = compileFilter(Array(20_000).fill('ip').join(' and '), registry);
  if (chain.ok) return t.fail('accepted');
  t.regex(chain.error.message, /nested more than 2000 operators deep/);
});
