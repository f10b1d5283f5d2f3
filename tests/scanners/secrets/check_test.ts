// The config value checks on credentials in their providers' exact formats (made up, never live) and
// on risky URLs, each with its exact rule and severity, and on the values real training configs hold
// under the same keys (transformers, Hydra, NeMo, Lightning, wandb, accelerate), placeholders,
// digests and UUIDs, which must stay clean. The tokens are assembled at run time from a prefix and a
// made-up body, so that secret scanners reading this repository do not take them for leaks.
import assert from "node:assert/strict";
import { configValueFindings, lastKey, MAX_CHECKED_CHARS } from "../../../scanners/secrets/check.ts";
import { MAX_URLS_PER_VALUE, urlsIn } from "../../../scanners/secrets/urls.ts";

const join = (...parts: string[]) => parts.join("");
const base64url = (json: unknown) =>
  btoa(JSON.stringify(json)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** A made-up PEM body: base64 of a deterministic byte sequence, in 64-character lines. */
const PEM_BODY = btoa(String.fromCharCode(...Array.from({ length: 600 }, (_, i) => (i * 73 + 41) % 256)))
  .match(/.{1,64}/g)!.join("\n");
const pem = (type: string) => join("-----BEGIN ", type, "-----\n", PEM_BODY, "\n-----END ", type, "-----\n");

const HF = join("hf_", "ujzPdeIgxLdGncfBAepfJBdKhoOOLdKLzd");
const JWT = [
  base64url({ alg: "HS256", typ: "JWT" }),
  base64url({ sub: "1234567890", name: "svc-trainer", exp: 1893456000 }),
  "kQ3vXz9P2mWcR7tLsY4nB8hJ1dF6gA0eUoIiKjHl",
].join(".");

/** [value, key path, rule, severity, a detail that must be present]. */
const MALICIOUS: [string, string, string, string, Record<string, unknown>][] = [
  [pem("PRIVATE KEY"), "$.private_key", "MA540", "critical", { provider: "google-service-account" }],
  [pem("RSA PRIVATE KEY"), "$.deploy.ssh_key", "MA540", "critical", { keyType: "RSA PRIVATE KEY" }],
  [pem("OPENSSH PRIVATE KEY").replaceAll("\n", "\\n"), "$.remote.key", "MA540", "critical", {
    keyType: "OPENSSH PRIVATE KEY",
  }],
  [join("AKIA", "5LKR4AQXVUPCTNWL"), "$.aws.access_key_id", "MA541", "warning", { kind: "access-key-id" }],
  [join("aQWk8JzFalHlsZfYcMMDktXP", "+tKsf2rcDkdfrUnW"), "$.aws.secret_access_key", "MA541", "critical", {
    kind: "secret-access-key",
  }],
  [
    join("AWS_SECRET_ACCESS_KEY=", "aQWk8JzFalHlsZfYcMMDktXP", "+tKsf2rcDkdfrUnW"),
    "$.env[1]",
    "MA541",
    "critical",
    {
      kind: "secret-access-key",
    },
  ],
  [HF, "$.hub.token", "MA542", "critical", { provider: "huggingface", preview: "hf_ujzP…KLzd (37 chars)" }],
  [join("huggingface-cli login --token ", HF), "$.setup[0]", "MA542", "critical", {
    provider: "huggingface",
  }],
  [join("api_org_", "ocJisAjIhKtJRlgLKOmxgJTeKdNnFRIBXu"), "$.org", "MA542", "critical", {
    kind: "org-token",
  }],
  [
    join(
      "sk-ant-api03-",
      "76UMFxFkM-R5Kjp1vRt_1fjORS-6ilI8ihN5KXSc7Tvo-hBKqFYY-kv5ZJr3J1TWDtkwtDDb_xHKas1VOqg6YYZYn9Zhy",
      "AA",
    ),
    "$.llm.api_key",
    "MA542",
    "critical",
    { provider: "anthropic" },
  ],
  [
    join(
      "sk-proj-",
      "enCkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2FDEEtfjgVvVqE1SkHbn88HxjSI6bWHtP3fS2qHx6",
      "T3BlbkFJ",
      "kwXoIIXGvOoNZYW2mZp0zVZomHFwUbbYrEqmSM9wCZ7Uw9xfogoEmvnEN5N1aE6PwZPf1Qh6yY",
    ),
    "$.openai.key",
    "MA542",
    "critical",
    { provider: "openai" },
  ],
  [join("sk-", "TWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN0MEQ7wjJJibaZUP"), "$.judge", "MA542", "critical", {
    provider: "openai",
  }],
  [join("ghp_", "gHV7iB3m03nbqnsGpWLuqIA1id6Vw5DQL05H"), "$.git.auth", "MA542", "critical", {
    provider: "github",
  }],
  [
    join(
      "github_pat_",
      "A064GiIjHGb3CXlMaXZjlj",
      "_",
      "ENUhJduRHHJEYXg4JdpmrcXgGCJbW56eCuNGMGmSrCGIZEG8pSH4487q7J5",
    ),
    "$.ci.pat",
    "MA542",
    "critical",
    { kind: "fine-grained-token" },
  ],
  [join("glpat-", "8m1CiAhzCueQpBenQtYh"), "$.gitlab", "MA542", "critical", { provider: "gitlab" }],
  [
    join("xoxb-", "252427316723-2686563551505-", "JDCTbyvHNsG9eh6Yo4gfqrc5"),
    "$.notify.slack",
    "MA542",
    "critical",
    {
      provider: "slack",
      kind: "token",
    },
  ],
  [
    join("https://hooks.slack.com/services/", "TLRI1QZJ86", "/BUFRDL1ERBF", "/fM2oeq3hDavJA76rNicHTp8h"),
    "$.callbacks.on_end",
    "MA542",
    "critical",
    { kind: "webhook" },
  ],
  [join("AIza", "uHgxzNNAL5wIScGebcy8F5n3-YNBDRzrZSg"), "$.maps", "MA542", "critical", {
    provider: "google",
  }],
  [join("sk_live_", "1iaeOV4qBkdfQ1y3GQsMpSsc"), "$.billing", "MA542", "critical", { provider: "stripe" }],
  [
    join(
      "DefaultEndpointsProtocol=https;AccountName=models;AccountKey=",
      "5gcF/Ha6ili8GjHEAD6+Wj9KfzjsQGMrb9h/ImB/LK777pzNk8cL6j5IXAAjlsHUqJoUD+/Ydua/5ZMs1SWOpQ",
      "==;EndpointSuffix=core.windows.net",
    ),
    "$.storage.connection",
    "MA543",
    "critical",
    { kind: "account-key", account: "models" },
  ],
  [
    join(
      "https://models.blob.core.windows.net/ckpt/model.safetensors?sv=2022-11-02&se=2031-01-01&sp=rw&sig=",
      encodeURIComponent("aPRYpzbLGViYXjU2JgJngKtFI3OyV2dZAkg05rK/gqv="),
    ),
    "$.weights",
    "MA543",
    "critical",
    { kind: "sas", host: "models.blob.core.windows.net" },
  ],
  [join("Bearer ", JWT), "$.headers.Authorization", "MA544", "warning", {
    alg: "HS256",
    expires: "2030-01-01T00:00:00.000Z",
  }],
  ["https://deploy:s3cr3tPassw0rd@models.example.com/simple", "$.mirror", "MA545", "warning", {
    host: "models.example.com",
    user: "deploy",
  }],
  ["q8Zr2LxVt0PmW4kNc7YaB3", "$.wandb.api_key", "MA546", "warning", { key: "api_key" }],
  ["Tr4in!ng-Cluster", "$.db.password", "MA546", "warning", { key: "password" }],
  [join("WANDB_API_KEY=", "EAvstqVVPqzPptEJQzhkPken"), "$.env[0]", "MA546", "warning", {
    key: "WANDB_API_KEY",
  }],
  ["http://203.0.113.9/model.bin", "$.weights_url", "MA550", "warning", {
    host: "203.0.113.9",
    reach: "public",
  }],
  ["http://3405803785/x.sh", "$.hooks.pre", "MA550", "warning", { host: "203.0.113.9" }],
  ["https://[2001:db8::7]/weights", "$.mirror", "MA550", "warning", { reach: "public" }],
  ["http://169.254.169.254/latest/meta-data/iam/security-credentials/", "$.init", "MA550", "critical", {
    reach: "metadata",
  }],
  ["https://pastebin.com/raw/Ab12Cd34", "$.post_install", "MA551", "warning", { listed: "pastebin.com" }],
  ["https://bit.ly/3xYzAbC", "$.download_url", "MA552", "warning", { listed: "bit.ly" }],
  ["https://a1b2c3.ngrok-free.app/collect", "$.callback_url", "MA553", "warning", {
    listed: "ngrok-free.app",
  }],
  ["https://transfer.sh/abc123/model.pt", "$.checkpoint", "MA554", "warning", { listed: "transfer.sh" }],
  ["https://file.io/Xy12Ab", "$.resume_from", "MA554", "warning", { listed: "file.io" }],
  ["file:///etc/passwd", "$.tokenizer_url", "MA555", "warning", { path: "/etc/passwd" }],
  ["http://models.example.com/resnet50.pth", "$.pretrained", "MA556", "warning", { reason: "extension" }],
  ["http://models.example.com/latest", "$.download_url", "MA556", "warning", { reason: "key" }],
  ["https://xn--uggingface-nzj.co/gpt2", "$.model_url", "MA557", "critical", { imitates: "huggingface.co" }],
  ["https://hugginface.co/meta-llama/Llama-2-7b-hf", "$.base_model", "MA557", "critical", {
    imitates: "huggingface.co",
  }],
  [
    "https://huggingface.co.models-cdn.net/gpt2/resolve/main/model.safetensors",
    "$.url",
    "MA557",
    "critical",
    {
      imitates: "huggingface.co",
    },
  ],
];

Deno.test("config values: each credential and risky URL is found with its rule, severity and details", () => {
  for (const [value, keyPath, rule, severity, details] of MALICIOUS) {
    const found = configValueFindings(value, keyPath);
    assert.deepEqual(
      found.map((f) => [f.rule, f.severity]),
      [[rule, severity]],
      `${keyPath}: ${value.slice(0, 60)}`,
    );
    for (const [name, expected] of Object.entries(details)) {
      assert.deepEqual(found[0].details[name], expected, `${keyPath} details.${name}`);
    }
  }
});

Deno.test("config values: a message and its details never hold the secret whole", () => {
  for (const [value, keyPath, rule] of MALICIOUS) {
    if (!/^MA54/.test(rule)) continue;
    const [finding] = configValueFindings(value, keyPath);
    // The middle of each value is inside its secret; a preview shows only the secret's ends.
    const middle = value.slice(Math.floor(value.length / 2) - 6, Math.floor(value.length / 2) + 6);
    const shown = JSON.stringify([finding.message, finding.details]);
    assert.ok(!shown.includes(middle), `${rule} shows ${middle} in ${shown}`);
  }
  const [hf] = configValueFindings(HF, "$.token");
  assert.equal(hf.message, "A Hugging Face access token: hf_ujzP…KLzd (37 chars)");
});

/** Values real configs hold under secret-, token- and url-sounding keys, placeholders, digests, UUIDs. */
const BENIGN: [string, string][] = [
  // transformers config.json and tokenizer_config.json
  ["<s>", "$.bos_token"],
  ["</s>", "$.eos_token"],
  ["<unk>", "$.unk_token.content"],
  ["<|endoftext|>", "$.pad_token"],
  ["[MASK]", "$.mask_token"],
  ["LlamaTokenizerFast", "$.tokenizer_class"],
  ["<image>", "$.image_token"],
  ["<|im_start|>", "$.additional_special_tokens[0]"],
  ["▁", "$.added_tokens_decoder.29871.content"],
  ["left", "$.padding_side"],
  ["bfloat16", "$.torch_dtype"],
  ["silu", "$.hidden_act"],
  ["LlamaForCausalLM", "$.architectures[0]"],
  ["4.44.0.dev0", "$.transformers_version"],
  ["{% for message in messages %}{{ message['content'] }}{% endfor %}", "$.chat_template"],
  ["meta-llama/Meta-Llama-3-8B", "$._name_or_path"],
  ["https://huggingface.co/meta-llama/Meta-Llama-3-8B/resolve/main/model.safetensors", "$.model_url"],
  ["https://hf.co/datasets/tatsu-lab/alpaca", "$.dataset_url"],
  ["https://github.com/huggingface/transformers/blob/main/README.md", "$.repository"],
  ["https://raw.githubusercontent.com/pytorch/vision/main/hubconf.py", "$.hub_url"],
  ["https://download.pytorch.org/models/resnet50-0676ba61.pth", "$.pretrained"],
  // Hydra, NeMo, Lightning, accelerate, wandb, DeepSpeed
  ["transformers.AutoTokenizer.from_pretrained", "$.tokenizer._target_"],
  ["sentencepiece", "$.model.tokenizer.library"],
  ["/data/tokenizers/spm_32k.model", "$.model.tokenizer.model"],
  ["${oc.env:HF_TOKEN}", "$.hub.token"],
  ["${model.tokenizer.vocab_file}", "$.tokenizer.vocab_path"],
  ["${trainer.max_steps}", "$.optim.sched.max_steps"],
  ["${hydra:runtime.output_dir}/checkpoints", "$.checkpoint.dirpath"],
  ["gpu", "$.trainer.accelerator"],
  ["bf16-mixed", "$.trainer.precision"],
  ["my-llm-finetune", "$.wandb.project"],
  ["ddp_find_unused_parameters_false", "$.trainer.strategy"],
  ["FULL_SHARD", "$.fsdp_config.fsdp_sharding_strategy"],
  ["TRANSFORMER_BASED_WRAP", "$.fsdp_config.fsdp_auto_wrap_policy"],
  ["auto", "$.deepspeed.zero_optimization.stage3_max_live_parameters"],
  ["http://127.0.0.1:8000/v1", "$.server.base_url"],
  ["http://localhost:7860", "$.gradio.url"],
  ["http://10.0.0.5:9000/models/model.bin", "$.mirror_url"],
  ["http://[::1]:8080/weights.pt", "$.download_url"],
  ["http://minio.internal:9000/ckpt/model.pt", "$.checkpoint_url"],
  ["http://www.apache.org/licenses/LICENSE-2.0", "$.license_url"],
  ["http://json-schema.org/draft-07/schema#", "$.$schema"],
  ["Trained on http://203.0.113.9/ and mirrored at https://pastebin.com/raw/x", "$.description"],
  // placeholders
  ["", "$.hub.token"],
  ["${HF_TOKEN}", "$.hub.token"],
  ["$HF_TOKEN", "$.hub.token"],
  ["{{ secrets.HF_TOKEN }}", "$.hub.token"],
  ["<your-key>", "$.openai.api_key"],
  ["YOUR_API_KEY", "$.openai.api_key"],
  ["your_hf_token_here", "$.hf_token"],
  ["hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "$.hf_token"],
  ["sk-...", "$.openai_api_key"],
  ["xxxx", "$.api_key"],
  ["***", "$.password"],
  ["********", "$.db.password"],
  ["changeme", "$.db.password"],
  ["None", "$.wandb.api_key"],
  ["null", "$.auth_token"],
  ["HF_TOKEN", "$.hub.token_env"],
  ["OPENAI_API_KEY", "$.llm.api_key"],
  ["AKIAIOSFODNN7EXAMPLE", "$.aws.access_key_id"],
  ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "$.aws.secret_access_key"],
  ["%(PASSWORD)s", "$.db.password"],
  ["https://user:${PASSWORD}@pypi.example.com/simple", "$.index_url"],
  ["https://user:password@host.example.com/", "$.docs_url"],
  // digests, UUIDs, ids, paths, counts
  ["f7eaed46725a2a7b860dcd6c8a1f8b46287cced9041dff02cee737443e210471", "$.sha256"],
  ["d41d8cd98f00b204e9800998ecf8427e", "$.token_md5"],
  ["9b4d9e1d62ab1b7d0a4e5c2f8a6c7e9f0d1b2c3a", "$.revision"],
  ["9b4d9e1d62ab1b7d0a4e5c2f8a6c7e9f0d1b2c3a", "$.commit_token"],
  ["550e8400-e29b-41d4-a716-446655440000", "$.client_secret"],
  ["550e8400-e29b-41d4-a716-446655440000", "$.run_id"],
  ["/etc/secrets/hf_token", "$.hub.token_file"],
  ["./secrets/api_key.txt", "$.api_key"],
  ["~/.cache/huggingface/token", "$.token"],
  ["2048", "$.max_tokens"],
  ["128", "$.key_dim"],
  ["id", "$.primary_key"],
  ["hf-secret-token", "$.secret_name"],
  ["Bearer", "$.auth.token_type"],
  ["my-super-secret-key", "$.secret_key"],
  ["2016-09-03T18:45:36Z", "$.password_last_used"],
];

Deno.test("config values: real training-config values, placeholders, digests and UUIDs stay clean", () => {
  for (const [value, keyPath] of BENIGN) {
    assert.deepEqual(configValueFindings(value, keyPath), [], `${keyPath}: ${value}`);
  }
});

Deno.test("config values: the key is the key path's last name unless given", () => {
  assert.equal(lastKey("$.a.b"), "b");
  assert.equal(lastKey('$["hf-token"]'), "hf-token");
  assert.equal(lastKey("$.list[3]"), undefined);
  const value = "q8Zr2LxVt0PmW4kNc7YaB3";
  assert.deepEqual(configValueFindings(value, "$.list[3]"), []);
  assert.deepEqual(configValueFindings(value, "$.list[3]", "api_key").map((f) => f.rule), ["MA546"]);
});

Deno.test("config values: the work per value is bounded", () => {
  const urls = Array.from({ length: 1000 }, (_, i) => `http://203.0.113.${i % 250}/m${i}.bin`).join(" ");
  assert.equal(urlsIn(urls).length, MAX_URLS_PER_VALUE);
  const beyond = "a".repeat(MAX_CHECKED_CHARS) + HF;
  assert.deepEqual(configValueFindings(beyond, "$.notes_blob"), []);
  const started = performance.now();
  configValueFindings("-----BEGIN PRIVATE KEY-----".repeat(20_000) + "=".repeat(500_000), "$.k");
  configValueFindings("eyJ".repeat(100_000) + "." + "a".repeat(100_000), "$.t");
  assert.ok(performance.now() - started < 2000, "hostile values are checked in linear time");
});

Deno.test("config values: one finding per kind of credential in a value, the pair of AWS keys as one", () => {
  const env = join(
    "AWS_ACCESS_KEY_ID=AKIA",
    "5LKR4AQXVUPCTNWL AWS_SECRET_ACCESS_KEY=",
    "aQWk8JzFalHlsZfYcMMDktXP+tKsf2rcDkdfrUnW",
  );
  const [aws, ...rest] = configValueFindings(env, "$.run.env");
  assert.deepEqual(rest, []);
  assert.equal(aws.severity, "critical");
  assert.equal(aws.details.accessKeyId, "AKIA5LKR…TNWL (20 chars)");
  const two = join(
    HF,
    " ",
    "ghp_",
    "gHV7iB3m03nbqnsGpWLuqIA1id6Vw5DQL05H",
    " ",
    "ghp_",
    "Q8zR2LxVt0PmW4kNc7YaB3dF6gA0eUoIiKjH",
  );
  assert.deepEqual(configValueFindings(two, "$.script").map((f) => f.details.provider), [
    "huggingface",
    "github",
  ]);
});
