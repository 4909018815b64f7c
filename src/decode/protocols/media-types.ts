// What Wireshark hands an HTTP body to by its media type, short of JSON: line-based text
// (data-text-lines), HTML forms (urlencoded-form, WHATWG URL §5) and XML.
import type { Dissector } from '../dissector.js';
import { defineFields, defineProtocol } from '../field.js';
import { latin1Text } from '../text.js';

const textFields = defineFields('data-text-lines', {});
export const textLines: Dissector = {
  protocol: defineProtocol('data-text-lines', 'Line-based text data'),
  short: '',
  fields: textFields,
  bindings: [],
  dissect(view, offset, ctx) {
    if (!ctx.tree) return;
    let lines = 0;
    for (let i = offset; i < view.captured; i++) if (view.bytes[i] === 0x0a) lines++;
    if (view.captured > offset && view.bytes[view.captured - 1] !== 0x0a) lines++;
    ctx.layerSummary(`Line-based text data (${lines} lines)`);
  },
};

const formFields = defineFields('urlencoded-form', {
  key: { name: 'Key', type: 'string' },
  value: { name: 'Value', type: 'string' },
});

/** application/x-www-form-urlencoded's percent and plus decoding. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export const urlencodedForm: Dissector = {
  protocol: defineProtocol('urlencoded-form', 'HTML Form URL Encoded'),
  short: '',
  fields: formFields,
  bindings: [],
  dissect(view, offset, ctx) {
    const text = latin1Text(view.slice(offset, view.captured - offset));
    let at = offset;
    for (const pair of text.split('&')) {
      const equals = pair.indexOf('=');
      const key = equals < 0 ? pair : pair.slice(0, equals);
      ctx.add(formFields.key, at, key.length, formDecode(key));
      if (equals >= 0) ctx.add(formFields.value, at + equals + 1, pair.length - equals - 1, formDecode(pair.slice(equals + 1)));
      at += pair.length + 1;
    }
  },
};

export const xml: Dissector = {
  protocol: defineProtocol('xml', 'eXtensible Markup Language'),
  short: '',
  fields: defineFields('xml', {}),
  bindings: [],
  dissect() {},
};
