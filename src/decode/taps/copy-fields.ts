// tap.copy_of: the first frame of the packet a frame is a later copy of. TCP's analysis gives a segment's
// (tap-copies.ts), the tap-path index every other packet's; a module of its own, which imports no protocol,
// so that TCP and the tap paths may both name it.
import { defineFields } from '../field.js';

export const copyFields = defineFields('tap', { copy_of: { name: 'Copy of the packet first seen in frame', type: 'framenum' } });
