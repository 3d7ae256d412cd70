// XML 1.0 §2.2 forbids most control characters even as character references, so escaping
// alone cannot make them safe; they become U+FFFD instead of producing a document no
// parser will read. Validated input never contains them; configured names might.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes a value for XML text content or a quoted attribute value. */
export function escapeXml(value: string | number): string {
  return String(value)
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}
