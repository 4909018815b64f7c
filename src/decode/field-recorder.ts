// What a dissection records as its dissectors call it: the values of the fields asked for (print mode's
// `-T fields`, a filter's) and, for the selected frame only, the tree. With no tree, no node is made.
import { ByteView } from './byte-view.js';
import type { FieldDef, FieldValue } from './field.js';
import { expertFields, expertText, SEVERITY_VALUES, type ExpertGroup, type ExpertSeverity } from './protocols/expert.js';
import type { ByteSource, TreeNode } from './tree.js';

export const NO_SLOT = -1;
const NO_VALUES: readonly FieldValue[] = [];

export class FieldRecorder {
  readonly tree: boolean;
  readonly view = new ByteView();
  roots: TreeNode[] = [];
  sources: ByteSource[] = [];
  /** A tree or field values are collected (columns alone record no field). */
  protected readonly recording: boolean;
  /** Values of the requested fields, one array per distinct field, each occurrence in frame order. */
  protected readonly values: FieldValue[][] = [];
  protected readonly slotOf: Int32Array;
  protected readonly stack: TreeNode[] = [];
  protected last: TreeNode | undefined;
  /** The byte source the nodes added now point into (0: the frame). */
  protected source = 0;

  constructor(fieldIdLimit: number, tree: boolean, fields: readonly FieldDef[]) {
    this.tree = tree;
    this.slotOf = new Int32Array(fieldIdLimit).fill(NO_SLOT);
    // Print mode and a filter may ask for the same field: each distinct field gets one slot.
    for (const field of fields) {
      if (this.slotOf[field.id] !== NO_SLOT) continue;
      this.slotOf[field.id] = this.values.length;
      this.values.push([]);
    }
    this.recording = this.tree || this.values.length > 0;
  }

  /** The occurrences of a requested field in this frame, in frame order (empty for fields not requested). */
  valuesOf(field: FieldDef): readonly FieldValue[] {
    const slot = this.slotOf[field.id];
    return slot === NO_SLOT ? NO_VALUES : this.values[slot];
  }

  /** Whether a value for `field` would be used: compute costly values only when this is true. */
  wants(field: FieldDef): boolean {
    return this.tree || this.slotOf[field.id] !== NO_SLOT;
  }

  /** Records a field over bytes [start, start+length); byte-typed fields take their value from the view. */
  add(field: FieldDef, start: number, length: number, value?: FieldValue): void {
    // Values read through the view were checked there; bytes taken as they are are checked here.
    if (value === undefined) this.view.check(start, length);
    // The UI's in-order pass records nothing: it runs for the state changes alone.
    if (!this.recording) return;
    const slot = this.slotOf[field.id];
    if (slot !== NO_SLOT) this.values[slot].push(value === undefined ? this.bytesOf(start, length) : value);
    if (this.tree) this.node(field, start, length, value === undefined ? this.bytesOf(start, length) : value, false);
  }

  /** A value computed rather than read (lengths, reassembly results): shown in brackets, no bytes. */
  generated(field: FieldDef, value: FieldValue, start = 0, length = 0): void {
    if (!this.recording) return;
    const slot = this.slotOf[field.id];
    if (slot !== NO_SLOT) this.values[slot].push(value);
    if (this.tree) this.node(field, start, length, value, true);
  }

  /** Like `add`, and the nodes added until `close` become its children. */
  open(field: FieldDef, start: number, length: number, value?: FieldValue): void {
    this.add(field, start, length, value);
    if (this.tree) this.stack.push(this.last as TreeNode);
  }

  /** Like `generated`, and the nodes added until `close` become its children. */
  openGenerated(field: FieldDef, value: FieldValue): void {
    this.generated(field, value);
    if (this.tree) this.stack.push(this.last as TreeNode);
  }

  close(): void {
    if (this.tree) this.stack.pop();
  }

  /** Text for the node added last, replacing `Name: value` (tree only; guard costly text with `tree`). */
  label(text: string): void {
    if (this.tree && this.last) this.last.label = text;
  }

  /** The current layer's node: its summary line and how many bytes its header spans. */
  layerSummary(text: string, length?: number): void {
    if (!this.tree) return;
    const layer = this.currentLayer();
    if (!layer) return;
    layer.label = text;
    if (length !== undefined) layer.length = length;
  }

  layerLength(length: number): void {
    if (!this.tree) return;
    const layer = this.currentLayer();
    if (layer) layer.length = length;
  }

  /** An expert note (Wireshark's expert_add_info): `_ws.expert` with its message, severity and group. */
  expert(severity: ExpertSeverity, group: ExpertGroup, message: string, start = 0, length = 0): void {
    if (!this.recording) return;
    const note = this.tree || this.slotOf[expertFields.note.id] !== NO_SLOT;
    if (note) {
      const text = expertText(severity, group, message);
      this.generated(expertFields.note, text, start, length);
      if (this.tree) {
        const node = this.last as TreeNode;
        node.label = text;
        node.expert = { severity, message };
        this.stack.push(node);
      }
    }
    this.generated(expertFields.message, message);
    this.label(message);
    this.generated(expertFields.severity, SEVERITY_VALUES[severity]);
    this.generated(expertFields.group, group);
    if (note) this.close();
  }

  protected currentLayer(): TreeNode | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i].field.type === 'protocol') return this.stack[i];
    return undefined;
  }

  protected bytesOf(start: number, length: number): Uint8Array {
    const bytes = this.view.bytes;
    const end = Math.min(start + length, this.view.captured);
    return bytes.subarray(Math.min(start, end), end);
  }

  protected node(field: FieldDef, start: number, length: number, value: FieldValue, generated: boolean): TreeNode {
    const node: TreeNode = { field, start, length, value, source: this.source, generated, label: undefined, expert: undefined, children: [] };
    const parent = this.stack[this.stack.length - 1];
    (parent ? parent.children : this.roots).push(node);
    this.last = node;
    return node;
  }
}
