import { type FastifyInstance, errorCodes } from 'fastify';

// Outlook and the tools around it spell the Autodiscover paths in every letter case
// (/AutoDiscover/AutoDiscover.xml, /Autodiscover/Autodiscover.json/v1.0/...). Fastify's router
// is case-sensitive, so these paths are lowercased before routing; the rest of the URL (the
// address in the v2 path form, the query) is left as it was sent.
const AUTODISCOVER_PATH = /^\/autodiscover\/autodiscover\.(?:xml|json(?:\/v1\.0)?)(?=[/?]|$)/i;

/** For Fastify's `rewriteUrl` option. */
export function canonicalDiscoveryUrl(url: string): string {
  return url.replace(AUTODISCOVER_PATH, (path) => path.toLowerCase());
}

// The only route that takes an XML body. The bytes go to parseAutodiscoverRequest, which
// refuses DTDs and never expands an entity; no general-purpose XML parsing happens here.
const XML_BODY_ROUTES = new Set(['/autodiscover/autodiscover.xml']);

/**
 * Accepts text/xml and application/xml bodies, as raw bytes, on the XML routes only; everywhere
 * else they stay what every non-JSON body is: 415. Fastify parses after routing, so the parser
 * knows the route (content-type parsers cannot be scoped to a route in Nest's single context).
 */
export function installXmlBodyParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer' }, (request, body, done) => {
    if (XML_BODY_ROUTES.has(request.routeOptions.url ?? '')) done(null, body);
    else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type']), undefined);
  });
}
