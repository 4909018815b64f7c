// Wireshark's `_ws.*` pseudo-fields: expert notes and the markers for malformed and cut-short packets.
// An expert note is `_ws.expert` ("Expert Info (Note/Sequence): ...") with its message, severity and
// group under it, as tshark shows and filters them; the numbers are epan/proto.h's PI_* values.
import { defineFields, defineProtocol } from '../field.js';

export type ExpertSeverity = 'chat' | 'note' | 'warn' | 'error';

/** epan/proto.h's PI_* groups (expert_group_vals), by the name tshark draws. */
export const ExpertGroup = {
  Checksum: 0x01000000,
  Sequence: 0x02000000,
  Response: 0x03000000,
  Request: 0x04000000,
  Undecoded: 0x05000000,
  Reassemble: 0x06000000,
  Malformed: 0x07000000,
  Debug: 0x08000000,
  Protocol: 0x09000000,
  Security: 0x0a000000,
  Comment: 0x0b000000,
  Decryption: 0x0c000000,
  Assumption: 0x0d000000,
  Deprecated: 0x0e000000,
} as const;
export type ExpertGroup = (typeof ExpertGroup)[keyof typeof ExpertGroup];

const GROUP_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(ExpertGroup).map(([name, value]) => [value, name]));

export function expertGroupName(group: ExpertGroup): string {
  return GROUP_NAMES[group];
}

/** PI_CHAT, PI_NOTE, PI_WARN, PI_ERROR. */
export const SEVERITY_VALUES: Readonly<Record<ExpertSeverity, number>> = { chat: 0x00200000, note: 0x00400000, warn: 0x00600000, error: 0x00800000 };
/** As `_ws.expert` names them (tshark's -z expert titles say "Warns"). */
export const SEVERITY_NAMES: Readonly<Record<ExpertSeverity, string>> = { chat: 'Chat', note: 'Note', warn: 'Warning', error: 'Error' };

const severityValues: Record<number, string> = {};
for (const severity of Object.keys(SEVERITY_VALUES) as ExpertSeverity[]) severityValues[SEVERITY_VALUES[severity]] = SEVERITY_NAMES[severity];

const noteFields = defineFields('_ws', {
  // A protocol in Wireshark, whose text is its label; a string here, so -T fields prints that text.
  expert: { name: 'Expert Info', type: 'string' },
  'expert.message': { name: 'Message', type: 'string', blurb: 'Wireshark expert information' },
  'expert.group': { name: 'Group', type: 'uint32', values: GROUP_NAMES, blurb: 'Wireshark expert group' },
  'expert.severity': { name: 'Severity level', type: 'uint32', values: severityValues, blurb: 'Wireshark expert severity level' },
});

export const expertFields = {
  malformed: defineProtocol('_ws.malformed', 'Malformed Packet'),
  short: defineProtocol('_ws.short', 'Packet size limited during capture'),
  note: noteFields.expert,
  message: noteFields['expert.message'],
  group: noteFields['expert.group'],
  severity: noteFields['expert.severity'],
};

/** `_ws.expert`'s text: "Expert Info (Chat/Sequence): Connection finish (FIN)". */
export function expertText(severity: ExpertSeverity, group: ExpertGroup, message: string): string {
  return `Expert Info (${SEVERITY_NAMES[severity]}/${GROUP_NAMES[group]}): ${message}`;
}

/** Told of every expert note of a frame as it is added, with the protocol that added it (tshark's expert tap). */
export interface ExpertTap {
  note(severity: ExpertSeverity, group: ExpertGroup, protocol: string, message: string): void;
}
