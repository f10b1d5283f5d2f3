/**
 * Credentials in configuration values: private key blocks (MA540), AWS keys (MA541),
 * tokens in the exact formats of Hugging Face, OpenAI, Anthropic, GitHub, GitLab, Slack,
 * Google and Stripe (MA542), Azure account keys and shared access signatures (MA543),
 * JSON Web Tokens (MA544), passwords in URLs (MA545), and random-looking values under
 * secret-named keys (MA546). The provider formats follow the public rules of gitleaks and
 * trufflehog; a match that is a fill-in (`hf_xxxx...`, `AKIA...EXAMPLE`) or not random
 * enough to have been issued is not reported.
 *
 * @module
 */

import { looksRandom, shannonEntropy } from "./entropy.ts";
import { isPasswordKey, isProseKey, keyWords, secretKeyStrength } from "./key_names.ts";
import { isPlaceholder, nonSecretShape } from "./placeholders.ts";
import { redact } from "./redact.ts";
import type { ValueFinding } from "./types.ts";
import { urlsIn } from "./urls.ts";

/** One token format of a provider. */
interface TokenFormat {
  provider: string;
  kind: string;
  /** Length of the token's fixed prefix (`hf_`, `ghp_`), shown whole in previews: it names the provider. */
  prefixLength: number;
  /** The token, bounded by characters that cannot belong to it. */
  pattern: RegExp;
}

const token = (body: string) => new RegExp(String.raw`(?<![A-Za-z0-9_-])(?:${body})(?![A-Za-z0-9_-])`, "g");

/** Exact formats (gitleaks' rules, 2024-2025), the most specific first: `sk-ant-` before `sk-`. */
const TOKEN_FORMATS: readonly TokenFormat[] = [
  { provider: "huggingface", kind: "access-token", prefixLength: 3, pattern: token("hf_[A-Za-z]{34}") },
  { provider: "huggingface", kind: "org-token", prefixLength: 8, pattern: token("api_org_[A-Za-z]{34}") },
  {
    provider: "anthropic",
    kind: "api-key",
    prefixLength: 7,
    pattern: token("sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA"),
  },
  {
    provider: "openai",
    kind: "api-key",
    prefixLength: 3,
    pattern: token(
      "sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74}|sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{80,200}|sk-[A-Za-z0-9]{48}",
    ),
  },
  { provider: "github", kind: "token", prefixLength: 4, pattern: token("gh[pousr]_[A-Za-z0-9]{36}") },
  {
    provider: "github",
    kind: "fine-grained-token",
    prefixLength: 11,
    pattern: token("github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
  },
  {
    provider: "gitlab",
    kind: "token",
    prefixLength: 6,
    pattern: token("gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,64}"),
  },
  {
    provider: "slack",
    kind: "token",
    prefixLength: 5,
    pattern: token(
      "xox[baprse]-(?:[0-9]{1,13}-){1,3}[A-Za-z0-9-]{8,64}|xapp-[0-9]-[A-Z0-9]{9,}-[0-9]+-[a-z0-9]{20,}",
    ),
  },
  {
    provider: "slack",
    kind: "webhook",
    prefixLength: 33, // `https://hooks.slack.com/services/`: the team and channel ids follow, the secret last
    pattern:
      /https:\/\/hooks\.slack\.com\/(?:services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32}|(?:workflows|triggers)\/[A-Za-z0-9/]{30,80})/g,
  },
  { provider: "google", kind: "api-key", prefixLength: 4, pattern: token("AIza[0-9A-Za-z_-]{35}") },
  {
    provider: "stripe",
    kind: "live-key",
    prefixLength: 8,
    pattern: token("(?:sk|rk)_live_[A-Za-z0-9]{24,99}"),
  },
];

/** An AWS access key id: a four-letter kind (`AKIA` user, `ASIA` session) and 16 base32 characters. */
const AWS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])/g;
/** An AWS secret access key: 40 base64 characters, recognised only by the name it is given. */
const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;
const AWS_SECRET_ASSIGNED =
  /aws_?secret_?(?:access_?)?key["']?\s*[=:]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
/** The header of a private key: PEM (PKCS#1, PKCS#8, EC, DSA, encrypted, OpenSSH, PGP) or PuTTY. */
const PRIVATE_KEY =
  /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----|PuTTY-User-Key-File-[23]: ([\w-]+)/g;
/** Base64 characters of a key's body before its end line: enough for the smallest real key (an Ed25519 PKCS#8 is 64). */
const MIN_KEY_BODY = 64;
/** An Azure storage account key or Service Bus / Event Hubs shared access key in a connection string. */
const AZURE_KEY = /\b(AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,}={0,2})/g;
/** A JWT: a JSON header (`{"` is `eyJ`), a JSON payload and a signature, in base64url. */
const JWT =
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g;
/** `NAME=value` (an environment list, a connection string) or `--name value` (a command line) inside a value. */
const ASSIGNMENT =
  /(?:--([A-Za-z][\w-]{1,60})(?:=|\s+)|(?:^|[\s,;"'(\[{])([A-Za-z][\w.-]{1,60})=)["']?([^\s"',;)}\]<>]{8,200})/g;

/** Whether a matched token is a fill-in rather than an issued credential: markers, or too little randomness. */
function isFakeToken(text: string, prefixLength: number): boolean {
  const body = text.slice(prefixLength);
  return /x{5,}|X{5,}|EXAMPLE|example|0{8,}|1234567|abcdefg|ABCDEFG|your|YOUR/.test(text) ||
    shannonEntropy(body) < 3;
}

function providerTokens(value: string): { finding: ValueFinding; text: string }[] {
  const found: { finding: ValueFinding; text: string }[] = [];
  const claimed: [number, number][] = [];
  for (const format of TOKEN_FORMATS) {
    for (const match of value.matchAll(format.pattern)) {
      const start = match.index, end = start + match[0].length;
      if (claimed.some(([from, to]) => start < to && end > from)) continue;
      if (isFakeToken(match[0], format.prefixLength)) continue;
      claimed.push([start, end]);
      const preview = redact(match[0], format.prefixLength);
      found.push({
        text: match[0],
        finding: {
          rule: "MA542",
          severity: "critical",
          message: `A ${PROVIDER_NAMES[format.provider]} ${format.kind.replaceAll("-", " ")}: ${preview}`,
          details: { provider: format.provider, kind: format.kind, preview },
        },
      });
    }
  }
  return found;
}

const PROVIDER_NAMES: Record<string, string> = {
  huggingface: "Hugging Face",
  anthropic: "Anthropic",
  openai: "OpenAI",
  github: "GitHub",
  gitlab: "GitLab",
  slack: "Slack",
  google: "Google",
  stripe: "Stripe",
};

function privateKeys(value: string, key: string | undefined): ValueFinding[] {
  const found: ValueFinding[] = [];
  for (const match of value.matchAll(PRIVATE_KEY)) {
    const after = value.slice(match.index + match[0].length, match.index + match[0].length + 4096);
    // Header lines (`Proc-Type: 4,ENCRYPTED`) and line breaks, real or escaped, are not the body.
    const lines = after.split("-----END")[0].replace(/\\n/g, "\n");
    const body = lines.replace(/^[\w-]+:.*$/gm, "").replace(/\s/g, "");
    const base64 = /^[A-Za-z0-9+/=]*/.exec(body)![0];
    if (match[1] !== undefined && base64.length < MIN_KEY_BODY) continue;
    const type = match[1] ?? `PuTTY ${match[2]}`;
    const serviceAccount = key === "private_key";
    found.push({
      rule: "MA540",
      severity: "critical",
      message: `A private key (${type})${serviceAccount ? ", as in a Google service account file" : ""}`,
      details: {
        kind: "private-key",
        keyType: type,
        encrypted: /ENCRYPTED/.test(type) || /Proc-Type: 4,ENCRYPTED/.test(after),
        ...(serviceAccount ? { provider: "google-service-account" } : {}),
      },
    });
    break; // one key block is enough to say the value holds a private key
  }
  return found;
}

function awsCredentials(value: string, key: string | undefined, keyPath: string): ValueFinding[] {
  const id = [...value.matchAll(AWS_KEY_ID)].map((match) => match[0]).find((text) => !isFakeToken(text, 4));
  const secrets: string[] = [...value.matchAll(AWS_SECRET_ASSIGNED)].map((match) => match[1]);
  const words = key === undefined ? [] : keyWords(key);
  const awsKey = words.includes("secret") && (words.includes("aws") || /aws/i.test(keyPath));
  if (awsKey && AWS_SECRET.test(value.trim())) secrets.push(value.trim());
  const secret = secrets.find((text) => !isFakeToken(text, 0) && looksRandom(text));
  const idPreview = id === undefined ? undefined : redact(id, 4);
  if (secret !== undefined) {
    const preview = redact(secret);
    return [{
      rule: "MA541",
      severity: "critical",
      message: `An AWS secret access key${
        idPreview ? ` with its access key id ${idPreview}` : ""
      }: ${preview}`,
      details: {
        provider: "aws",
        kind: "secret-access-key",
        preview,
        ...(idPreview ? { accessKeyId: idPreview } : {}),
      },
    }];
  }
  if (id === undefined) return [];
  return [{
    rule: "MA541",
    severity: "warning",
    message: `An AWS access key id (${id.startsWith("ASIA") ? "session" : "long-term"}): ${idPreview}`,
    details: { provider: "aws", kind: "access-key-id", preview: idPreview },
  }];
}

function azureCredentials(value: string, urls: readonly URL[]): ValueFinding[] {
  const found: ValueFinding[] = [];
  for (const match of value.matchAll(AZURE_KEY)) {
    if (isFakeToken(match[2], 0) || !looksRandom(match[2])) continue;
    const preview = redact(match[2]);
    const account = /AccountName=([^;]+)/.exec(value)?.[1];
    found.push({
      rule: "MA543",
      severity: "critical",
      message: `An Azure ${
        match[1] === "AccountKey" ? "storage account key" : "shared access key"
      } in a connection string: ${preview}`,
      details: {
        provider: "azure",
        kind: match[1] === "AccountKey" ? "account-key" : "shared-access-key",
        preview,
        ...(account ? { account } : {}),
      },
    });
    break;
  }
  for (const url of urls) {
    const sig = url.searchParams.get("sig");
    if (sig === null || !(url.searchParams.has("sv") || url.searchParams.has("se")) || isPlaceholder(sig)) {
      continue;
    }
    if (sig.length < 20 || !looksRandom(sig)) continue;
    const preview = redact(sig);
    found.push({
      rule: "MA543",
      severity: "critical",
      message: `A shared access signature for ${url.hostname} (sig ${preview}, expires ${
        url.searchParams.get("se") ?? "unknown"
      })`,
      details: {
        provider: "azure",
        kind: "sas",
        host: url.hostname,
        preview,
        expires: url.searchParams.get("se"),
      },
    });
    break;
  }
  return found;
}

/** The JSON of one base64url part of a JWT, or `undefined`. */
function jwtPart(part: string): Record<string, unknown> | undefined {
  try {
    const json = JSON.parse(
      atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=")),
    );
    return typeof json === "object" && json !== null && !Array.isArray(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

function jwts(value: string): ValueFinding[] {
  for (const match of value.matchAll(JWT)) {
    const [header, payload] = match[0].split(".");
    const head = jwtPart(header);
    if (head === undefined || typeof head.alg !== "string" || jwtPart(payload) === undefined) continue;
    const exp = jwtPart(payload)!.exp;
    const expires = typeof exp === "number" ? new Date(exp * 1000).toISOString() : undefined;
    const preview = redact(match[0], 3);
    return [{
      rule: "MA544",
      severity: "warning",
      message: `A JSON Web Token (alg ${head.alg}${expires ? `, expires ${expires}` : ""}): ${preview}`,
      details: { kind: "jwt", alg: head.alg, preview, ...(expires ? { expires } : {}) },
    }];
  }
  return [];
}

function urlPasswords(urls: readonly URL[], tokens: readonly string[]): ValueFinding[] {
  for (const url of urls) {
    if (url.password === "") continue;
    let password: string;
    try {
      password = decodeURIComponent(url.password);
    } catch {
      password = url.password;
    }
    if (
      isPlaceholder(password) || tokens.some((text) => text.includes(password) || password.includes(text))
    ) continue;
    const preview = redact(password);
    return [{
      rule: "MA545",
      severity: "warning",
      message: `A URL to ${url.hostname} carries the password of user "${
        decodeURIComponent(url.username)
      }": ${preview}`,
      details: { kind: "url-password", host: url.hostname, user: decodeURIComponent(url.username), preview },
    }];
  }
  return [];
}

/** Characters classes of `text` among lower case, upper case, digits and other. */
const classes = (text: string) =>
  [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(text)).length;

/** Shortest value judged under a password key, and under any other secret key. */
const MIN_PASSWORD = 8;
const MIN_SECRET = 16;
/** Longest value judged as one secret: longer ones are documents, certificates, lists. */
const MAX_SECRET = 512;

/** Whether `value`, under the key `key`, looks like a real secret (see MA546). */
function isGenericSecret(key: string, value: string): boolean {
  const strength = secretKeyStrength(key);
  if (strength === undefined || value.length > MAX_SECRET || isPlaceholder(value)) return false;
  const password = isPasswordKey(key);
  if (value.length < (password ? MIN_PASSWORD : MIN_SECRET)) return false;
  if (nonSecretShape(value, strength === "weak") !== undefined || classes(value) < 2) return false;
  return looksRandom(value) || (password && classes(value) >= 3);
}

function genericSecrets(value: string, key: string | undefined): ValueFinding[] {
  const trimmed = value.trim();
  const candidates: [string, string][] = key === undefined ? [] : [[key, trimmed]];
  if (!isProseKey(key) && /[=\s]/.test(trimmed)) {
    for (const match of trimmed.slice(0, 4096).matchAll(ASSIGNMENT)) {
      candidates.push([match[1] ?? match[2], match[3]]);
    }
  }
  for (const [name, text] of candidates) {
    if (!isGenericSecret(name, text)) continue;
    const preview = redact(text);
    return [{
      rule: "MA546",
      severity: "warning",
      message: `"${name}" holds a value that looks like a real secret: ${preview}`,
      details: {
        kind: "generic-secret",
        key: name,
        preview,
        entropy: Math.round(shannonEntropy(text) * 100) / 100,
      },
    }];
  }
  return [];
}

/**
 * The credentials in `value`, the value of `key` at `keyPath`: one finding per kind of credential
 * (a value with a Hugging Face and a GitHub token has two; one with three GitHub tokens, one),
 * the provider-specific ones first; a value that holds a known credential gets no generic finding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCredentials } from "./credentials.ts";
 * const [found] = findCredentials("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", "token", "$.hub.token");
 * assert.equal(found.rule, "MA542");
 * assert.equal(found.details.preview, "hf_QmZr…IuYt (37 chars)");
 * assert.deepEqual(findCredentials("<s>", "bos_token", "$.bos_token"), []);
 * assert.deepEqual(findCredentials("${HF_TOKEN}", "token", "$.token"), []);
 * ```
 */
export function findCredentials(value: string, key: string | undefined, keyPath: string): ValueFinding[] {
  const urls = urlsIn(value);
  const tokens = providerTokens(value);
  const found = [
    ...privateKeys(value, key),
    ...awsCredentials(value, key, keyPath),
    ...tokens.map((token) => token.finding),
    ...azureCredentials(value, urls),
    ...jwts(value),
    ...urlPasswords(urls, tokens.map((token) => token.text)),
  ];
  const what = (finding: ValueFinding) =>
    `${finding.rule} ${finding.details.provider} ${finding.details.kind}`;
  const distinct = found.filter((finding, i) =>
    found.findIndex((other) => what(other) === what(finding)) === i
  );
  return distinct.length > 0 ? distinct : genericSecrets(value, key);
}
