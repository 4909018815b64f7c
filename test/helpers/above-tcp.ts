// Comparing tsshark's columns and fields above TCP with tshark's, frame by frame: shared by the tests on
// the recordings in the corpus and on the web lab's captures.
import { tssharkFields } from './decode.js';
import type { Mismatch } from './differential.js';
import { tsharkFields } from './tshark.js';

export const TCP_FIELDS = [
  'tcp.analysis.flags', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment', 'tcp.analysis.duplicate_ack',
  'tcp.analysis.duplicate_ack_num', 'tcp.analysis.duplicate_ack_frame', 'tcp.analysis.zero_window', 'tcp.analysis.zero_window_probe',
  'tcp.analysis.zero_window_probe_ack', 'tcp.analysis.window_full', 'tcp.analysis.window_update', 'tcp.analysis.keep_alive',
  'tcp.analysis.keep_alive_ack', 'tcp.analysis.reused_ports', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt',
  'tcp.analysis.bytes_in_flight', 'tcp.analysis.push_bytes_sent', 'tcp.time_relative', 'tcp.time_delta', 'tcp.segment', 'tcp.segment.count',
  'tcp.reassembled.length', 'tcp.reassembled_in', 'tcp.segment_data', 'tcp.options.sack_le', 'tcp.options.sack_re', 'tcp.options.sack.count',
  'tcp.options.sack.dsack_le', 'tcp.options.sack.dsack_re', 'tcp.options.sack.dsack', 'tcp.payload',
];
export const TLS_FIELDS = [
  'tls.record.content_type', 'tls.record.opaque_type', 'tls.record.version', 'tls.record.length', 'tls.handshake.type', 'tls.handshake.length',
  'tls.handshake.version', 'tls.handshake.random', 'tls.handshake.session_id', 'tls.handshake.cipher_suites_length', 'tls.handshake.ciphersuite',
  'tls.handshake.comp_method', 'tls.handshake.extensions_length', 'tls.handshake.extension.type', 'tls.handshake.extension.len',
  'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'tls.handshake.extensions.supported_version',
  'tls.handshake.extensions_supported_group', 'tls.handshake.sig_hash_alg', 'tls.handshake.extensions_key_share_group',
  'tls.handshake.extensions_ec_point_format', 'tls.extension.psk_ke_mode', 'tls.handshake.ja3_full', 'tls.handshake.ja3',
  'tls.handshake.ja3s_full', 'tls.handshake.ja3s', 'tls.handshake.certificates_length', 'tls.handshake.certificate_length',
  'tls.handshake.session_ticket_lifetime_hint', 'tls.alert_message.level', 'tls.alert_message.desc', 'tls.app_data',
  'x509af.serialNumber', 'x509af.version', 'x509af.algorithm.id', 'x509af.utcTime', 'x509af.extension.id', 'x509ce.dNSName',
  'x509sat.uTF8String', 'x509sat.printableString', 'x509sat.CountryName',
];
export const HTTP_FIELDS = [
  'http.request', 'http.response', 'http.request.method', 'http.request.uri', 'http.request.uri.path', 'http.request.uri.query',
  'http.request.uri.query.parameter', 'http.request.version', 'http.request.full_uri', 'http.request.line', 'http.response.line', 'http.host',
  'http.user_agent', 'http.accept', 'http.response.version', 'http.response.code', 'http.response.code.desc', 'http.response.phrase',
  'http.content_type', 'http.content_length_header', 'http.content_length', 'http.server', 'http.date', 'http.last_modified',
  'http.location', 'http.connection', 'http.transfer_encoding', 'http.content_encoding', 'http.request_in', 'http.time',
  'http.prev_request_in', 'http.prev_response_in', 'http.request_number', 'http.response_number', 'http.response_for.uri', 'http.file_data',
  'json.member', 'json.key', 'json.value.string', 'json.value.number', 'json.member_with_value', 'json.path', 'json.path_with_value',
  'urlencoded-form.key', 'urlencoded-form.value', 'frame.protocols',
];
export const COLUMNS = ['_ws.col.Protocol', '_ws.col.Info'];
export const FIELDS = [...TCP_FIELDS, ...TLS_FIELDS, ...HTTP_FIELDS];

/** Whether a field of a frame (1-based) differs from tshark on purpose (the caller says why). */
export type Excused = (frame: number, field: string, ours: string, theirs: string) => boolean;

export async function compareAboveTcp(path: string, name: string, excused: Excused = () => false): Promise<{ mismatches: Mismatch[]; frames: number }> {
  const names = [...COLUMNS, ...FIELDS];
  const [theirs, ours] = await Promise.all([tsharkFields(path, names), tssharkFields(path, FIELDS, true)]);
  const mismatches: Mismatch[] = [];
  if (theirs.length !== ours.length) return { mismatches: [{ file: name, frame: 0, field: 'frame count', ours: String(ours.length), theirs: String(theirs.length) }], frames: 0 };
  theirs.forEach((row, index) => {
    names.forEach((field, column) => {
      // A binary body as text: tshark escapes some control bytes and not others, tsshark's sanitizer all of them.
      if (field === 'http.file_data' && /[\x00-\x1f]/.test(row[column])) return;
      if (row[column] !== ours[index][column] && !excused(index + 1, field, ours[index][column], row[column])) mismatches.push({ file: name, frame: index + 1, field, ours: ours[index][column], theirs: row[column] });
    });
  });
  return { mismatches, frames: theirs.length };
}
