/**
 * Hosts where attackers stage payloads or collect data: paste sites, URL shorteners,
 * tunnels and request-capture services. The shared string checks (MA011) search text
 * for them, and the config value checks (`scanners/secrets/urls.ts`) match parsed URL
 * hosts against them; each list is one place to add a host.
 *
 * @module
 */

/**
 * Hosts whose pages serve raw text anyone can post: where a second stage is staged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PASTE_HOSTS } from "./hosts.ts";
 * assert.ok(PASTE_HOSTS.includes("pastebin.com"));
 * ```
 */
export const PASTE_HOSTS: readonly string[] = [
  "pastebin.com",
  "paste.ee",
  "pastie.org",
  "hastebin.com",
  "ghostbin.com",
  "rentry.co",
  "rentry.org",
  "dpaste.com",
  "dpaste.org",
  "paste.rs",
  "termbin.com",
  "ix.io",
  "sprunge.us",
  "0x0.st",
  "transfer.sh",
  "controlc.com",
  "justpaste.it",
  "privatebin.net",
];

/**
 * URL shorteners: they hide where a link leads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SHORTENER_HOSTS } from "./hosts.ts";
 * assert.ok(SHORTENER_HOSTS.includes("bit.ly"));
 * ```
 */
export const SHORTENER_HOSTS: readonly string[] = [
  "bit.ly",
  "tinyurl.com",
  "t.co",
  "goo.gl",
  "is.gd",
  "ow.ly",
  "buff.ly",
  "rebrand.ly",
  "cutt.ly",
  "shorturl.at",
  "rb.gy",
  "t.ly",
  "tiny.cc",
  "v.gd",
];

/**
 * Tunnels to a private machine and request-capture services: where exfiltrated data goes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TUNNEL_HOSTS } from "./hosts.ts";
 * assert.ok(TUNNEL_HOSTS.includes("webhook.site"));
 * ```
 */
export const TUNNEL_HOSTS: readonly string[] = [
  "ngrok.io",
  "ngrok-free.app",
  "ngrok.app",
  "trycloudflare.com",
  "serveo.net",
  "localtunnel.me",
  "loca.lt",
  "pagekite.me",
  "webhook.site",
  "requestbin.net",
  "pipedream.net",
  "burpcollaborator.net",
  "oastify.com",
  "interact.sh",
  "interactsh.com",
];

/**
 * Anonymous file hosts: anyone uploads a file without an account and gets a link that
 * expires or vanishes, so no one can later see what was served (transfer.sh and 0x0.st
 * are also paste sites, above).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FILE_DROP_HOSTS } from "./hosts.ts";
 * assert.ok(FILE_DROP_HOSTS.includes("file.io"));
 * ```
 */
export const FILE_DROP_HOSTS: readonly string[] = [
  "transfer.sh",
  "0x0.st",
  "file.io",
  "anonfiles.com",
  "anonfile.com",
  "bayfiles.com",
  "temp.sh",
  "tmpfiles.org",
  "gofile.io",
  "catbox.moe",
  "filebin.net",
  "uguu.se",
  "pixeldrain.com",
  "send.vis.ee",
  "oshi.at",
  "keep.sh",
  "mediafire.com",
  "mega.nz",
];
