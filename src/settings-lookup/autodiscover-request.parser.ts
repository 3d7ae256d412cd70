import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseEmail, type ParsedEmail } from './email-address.js';
import { MAX_AUTODISCOVER_BODY_BYTES, MAX_AUTODISCOVER_XML_DEPTH } from './settings-lookup.constants.js';

// MS-OXDSCLI §2.2.1: Outlook requests use the first namespace and ask for the second.
export const AUTODISCOVER_REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
export const OUTLOOK_RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

// MS-OXDSCLI, ErrorCode element: 600 = the request XML was improperly formatted; 601 = no
// configuration of the requested type (e.g. an ActiveSync `mobilesync` request).
export type AutodiscoverErrorCode = 600 | 601;

export type AutodiscoverRequestResult =
  | { ok: true; email: ParsedEmail }
  | { ok: false; errorCode: AutodiscoverErrorCode; reason: string };

// Entity expansion stays off: `&name;` is never resolved by the parser, so neither an
// external entity (XXE) nor a nested one (billion laughs) can be expanded. A DOCTYPE is
// refused before parsing because a request has no business declaring one at all.
const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_AUTODISCOVER_XML_DEPTH,
});

const DTD_MARKUP = /<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

/** Reads the Outlook POX request body; anything else becomes the error the response must carry. */
export function parseAutodiscoverRequest(body: string | Uint8Array): AutodiscoverRequestResult {
  const xml = decodeBody(body);
  if (xml === null) return invalid('body is empty, too large or not UTF-8');
  if (DTD_MARKUP.test(xml)) return invalid('DTD markup is not accepted');
  if (XMLValidator.validate(xml) !== true) return invalid('not well-formed XML');

  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch {
    return invalid('not well-formed XML');
  }
  const request = findRequest(document);
  if (request === null) return invalid(`root is not Autodiscover in ${AUTODISCOVER_REQUEST_NS}`);

  const schema = textOf(request.element[`${request.prefix}AcceptableResponseSchema`]);
  if (schema === null) return invalid('AcceptableResponseSchema is missing');
  if (schema !== OUTLOOK_RESPONSE_SCHEMA) {
    return { ok: false, errorCode: 601, reason: `response schema ${schema} is not provided` };
  }
  const address = textOf(request.element[`${request.prefix}EMailAddress`]);
  const email = address === null ? null : parseEmail(address);
  if (email === null) return invalid('EMailAddress is missing or not an address');
  return { ok: true, email };
}

function invalid(reason: string): AutodiscoverRequestResult {
  return { ok: false, errorCode: 600, reason };
}

function decodeBody(body: string | Uint8Array): string | null {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size === 0 || size > MAX_AUTODISCOVER_BODY_BYTES) return null;
  if (typeof body === 'string') return body.replace(/^\uFEFF/, '');
  try {
    // fatal: a body that is not UTF-8 is rejected rather than read with U+FFFD guesses.
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

type XmlObject = Record<string, unknown>;

const isObject = (value: unknown): value is XmlObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Clients write the request namespace as the default (`xmlns="…"`) or bound to a prefix
// (`<a:Autodiscover xmlns:a="…">`); the parser keeps prefixes, so the binding is checked here.
function findRequest(document: unknown): { element: XmlObject; prefix: string } | null {
  if (!isObject(document)) return null;
  const roots = Object.keys(document);
  if (roots.length !== 1) return null;
  const match = /^(?:([A-Za-z_][\w.-]*):)?Autodiscover$/.exec(roots[0]);
  if (!match) return null;
  const root = document[roots[0]];
  if (!isObject(root)) return null;
  const nsAttribute = match[1] ? `@_xmlns:${match[1]}` : '@_xmlns';
  if (root[nsAttribute] !== AUTODISCOVER_REQUEST_NS) return null;
  const prefix = match[1] ? `${match[1]}:` : '';
  const element = root[`${prefix}Request`];
  return isObject(element) ? { element, prefix } : null;
}

// One text child only: a repeated element arrives as an array, a nested one as an object.
function textOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return decodeXmlReferences(value);
}

// With entity processing off the parser leaves even the five predefined entities and
// character references as written. They are decoded here, once and without recursion, so
// nothing can expand; any other `&name;` was never declared and makes the value invalid.
const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);/g;

function decodeXmlReferences(text: string): string | null {
  // A bare `&` outside a reference is not XML.
  if (text.replace(REFERENCE, '').includes('&')) return null;
  let undeclared = false;
  const decoded = text.replace(REFERENCE, (_, ref: string) => {
    if (ref[0] !== '#') {
      if (Object.hasOwn(PREDEFINED_ENTITIES, ref)) return PREDEFINED_ENTITIES[ref];
      undeclared = true;
      return '';
    }
    const codePoint = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (codePoint > 0x10ffff) {
      undeclared = true;
      return '';
    }
    return String.fromCodePoint(codePoint);
  });
  return undeclared ? null : decoded;
}
