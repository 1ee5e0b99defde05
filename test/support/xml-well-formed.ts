/**
 * Test support: a well-formedness check for the XML our exporters write (the SVG flame graph),
 * strict enough for what they emit — no parser dependency for one document shape.
 */

/** Tags balance, attributes are quoted, text holds no raw `<` or stray `&`. */
export function wellFormednessErrors(xml: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of xml.matchAll(token)) {
    const [, closing, name, , selfClosing, text, stray] = m;
    if (stray !== undefined) errors.push(`stray < at ${m.index}`);
    else if (text !== undefined) {
      if (/&(?!(lt|gt|amp|quot|apos);)/.test(text)) errors.push(`raw & in ${JSON.stringify(text)}`);
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) errors.push('control character');
    } else if (closing === '/') {
      if (stack.pop() !== name) errors.push(`unbalanced </${name}>`);
    } else if (selfClosing !== '/') stack.push(name as string);
  }
  if (stack.length > 0) errors.push(`unclosed ${stack.join(', ')}`);
  return errors;
}
