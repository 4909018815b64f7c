// Decode As from the interface, as Wireshark's Analyze › Decode As: `:decode-as tcp.port==8443,tls` adds a
// rule to those the frames are decoded by (replacing one for the same layer and selector), `:decode-as none`
// removes them all (`-d`'s too), `:decode-as` alone names them. `d` opens the line on the selected packet's
// port, for the protocol to be typed. Every frame is then decoded again (the session's decodeAs).
import { walkTree, type TreeNode } from '../decode/tree.js';
import type { CaptureSession } from '../session/capture-session.js';

/**
 * The fields whose values a rule's selector takes, in the order tried, with how many of them one layer
 * has (a TCP header both ports, an Ethernet, SLL or VLAN header one EtherType).
 */
const SELECTORS: readonly { table: string; fields: ReadonlySet<string>; perLayer: number }[] = [
  { table: 'tcp.port', fields: new Set(['tcp.srcport', 'tcp.dstport']), perLayer: 2 },
  { table: 'udp.port', fields: new Set(['udp.srcport', 'udp.dstport']), perLayer: 2 },
  { table: 'ip.proto', fields: new Set(['ip.proto']), perLayer: 1 },
  { table: 'ethertype', fields: new Set(['eth.type', 'sll.etype', 'vlan.etype']), perLayer: 1 },
];

/**
 * The start of a rule for the packet whose tree is `roots`: `tcp.port==443,` with the lower of its
 * ports (the server's, as a rule), else its IP protocol, else its EtherType; of the innermost layer.
 */
export function decodeAsTemplate(roots: readonly TreeNode[]): string | undefined {
  const nodes = [...walkTree(roots)].map(({ node }) => node);
  for (const { table, fields, perLayer } of SELECTORS) {
    const found = nodes.filter((node) => fields.has(node.field.abbrev) && typeof node.value === 'number').map((node) => node.value as number);
    // The last values are the innermost layer's (a tunnel's inner TCP after its outer UDP).
    if (found.length > 0) return `${table}==${Math.min(...found.slice(-perLayer))},`;
  }
  return undefined;
}

/** The rules after `:decode-as ARGUMENT`: a rule added or replaced, or all removed; or what to tell. */
export function changedRules(current: readonly string[], argument: string): { rules: readonly string[] } | { tell: string } {
  if (argument === '') return { tell: current.length === 0 ? 'Decode As: none (:decode-as tcp.port==8443,tls adds one)' : `Decode As: ${current.join(' ')} (:decode-as none removes them)` };
  if (argument === 'none') return { rules: [] };
  const selector = (rule: string) => rule.slice(0, rule.lastIndexOf(','));
  return { rules: [...current.filter((rule) => selector(rule) !== selector(argument)), argument] };
}

/** `:decode-as ARGUMENT`: the frames decoded again, and what came of it told. */
export function decodeAsCommand(session: CaptureSession, tell: (message: string) => void): (argument: string) => void {
  return (argument) => {
    const change = changedRules(session.decodeAsRules, argument);
    if ('tell' in change) return tell(change.tell);
    tell(`Decoding every frame again${change.rules.length === 0 ? ' with no Decode As rule' : ` as ${change.rules.join(' ')}`}…`);
    void session.decodeAs(change.rules).then((outcome) => {
      if (outcome.kind === 'refused') tell(outcome.error.replaceAll('\n', ' — '));
      else if (outcome.kind === 'done') tell(change.rules.length === 0 ? 'Decode As: none' : `Decode As: ${change.rules.join(' ')}`);
    });
  };
}
