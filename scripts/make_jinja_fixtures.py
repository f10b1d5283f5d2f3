#!/usr/bin/env python3
"""Writes modelaudit's Jinja chat-template fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_jinja_fixtures.py`` (Debian's python3 with
python3-jinja2). The script re-executes itself with /usr/bin/python3 when the current interpreter lacks
jinja2.

Inputs:
  fixtures/jinja/benign/real/**/*.jinja   real chat templates of open models, committed as collected
                                          (their sources are in fixtures/jinja/README.md); read, never changed
Outputs (deterministic: re-running gives byte-identical files):
  fixtures/jinja/malicious/*              one template per sandbox-escape technique and obfuscation, the
                                          CVE-2024-34359 payload, and the same inside tokenizer_config.json
                                          and chat_template.json files
  fixtures/jinja/benign/*                 benign twins of every check, and real-shaped tokenizer_config.json
                                          and chat_template.json files holding real templates
  fixtures/jinja/expected.json            the exact findings each file must produce

SAFETY: no template is ever rendered. jinja2 only parses them (``Environment.parse``), to check that every
malicious fixture is a template Python's Jinja would accept (and that the real ones are), so the fixtures
test what a loader would run. The payload command is the harmless ``echo pwned``.
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("jinja2",))

# The imports below need the interpreter chosen above.
import json  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import jinja2  # noqa: E402
import jinja2.ext  # noqa: E402
import jinja2.nodes  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, build_manifest, expected_finding, python_version, write_fixtures,
)

OUT = ROOT / "fixtures" / "jinja"
REAL = OUT / "benign" / "real"

# Real templates run to 17 KB; the area holds a hundred of them.
MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 900 * 1024

# The tail every payload ends with once it holds a module with popen.
POPEN = ".os.popen('echo pwned').read() }}"


@dataclass
class Fixture:
    file: str
    kind: str
    format: str | None
    technique: str
    data: bytes
    findings: list = field(default_factory=list)


def at(rule: str, line: int, column: int, name: str | None = None, *, obfuscated: bool | None = None,
       severity: str | None = None) -> dict:
    """An expected finding of a `.jinja` file, at its line and column; ``name`` (and whether it was folded
    from pieces) must be in its details."""
    details = {} if name is None else {"name": name}
    if obfuscated is not None:
        details["obfuscated"] = obfuscated
    return expected_finding(rule, line=line, column=column, severity=severity, details=details or None)


def in_json(rule: str, key_path: str, line: int | None = None, column: int | None = None,
            name: str | None = None, severity: str | None = None) -> dict:
    """An expected finding of a template inside a JSON file: located by key path, with the line and column
    inside the template in its details."""
    details: dict = {} if name is None else {"name": name}
    if line is not None:
        details |= {"templateLine": line, "templateColumn": column}
    return expected_finding(rule, key_path=key_path, severity=severity, details=details or None)


def popen_chain(offset: int) -> list[dict]:
    """The findings of ``POPEN`` when its `.os` starts at column ``offset``: os, then popen."""
    return [at("MA501", 1, offset + 1, "os"), at("MA501", 1, offset + 4, "popen")]


def obfuscation(name: str, technique: str, spelled: str, literal_column: int) -> Fixture:
    """``(lipsum|attr(SPELLED)).os.popen(...)``: `__globals__` spelled in pieces that fold to it, the
    first piece at ``literal_column``."""
    text = f"{{{{ (lipsum|attr({spelled})){POPEN}\n"
    os_column = text.index(".os.") + 1
    return Fixture(f"malicious/{name}.jinja", "malicious", "jinja", technique, text.encode(), [
        at("MA502", 1, 5, "lipsum"),
        at("MA500", 1, literal_column, "__globals__", obfuscated=True),
        *popen_chain(os_column),
    ])


CVE_2024_34359 = (
    '{% for x in ().__class__.__base__.__subclasses__() %}{% if "warning" in x.__name__ %}'
    "{{x()._module.__builtins__['__import__']('os').popen(\"echo pwned\")}}{%endif%}{% endfor %}"
)

# The CVE payload does not parse with @huggingface/jinja (it has no empty tuple `()`): MA503, then it is
# analysed with `()` rewritten, and every step is found. (rule, line, column, name, severity)
CVE_FINDINGS = [
    ("MA503", None, None, None, None),
    ("MA500", 1, 16, "__class__", None),
    ("MA500", 1, 26, "__base__", None),
    ("MA500", 1, 35, "__subclasses__", None),
    ("MA500", 1, 75, "__name__", None),
    ("MA500", 1, 92, "_module", "warning"),
    ("MA500", 1, 100, "__builtins__", None),
    ("MA500", 1, 113, "__import__", None),
    ("MA501", 1, 127, "os", None),
    ("MA501", 1, 133, "popen", None),
]


def malicious_templates() -> list[Fixture]:
    plain = f"{{{{ lipsum.__globals__{POPEN}\n"
    fixtures = [
        Fixture("malicious/plain_globals.jinja", "malicious", "jinja",
                "lipsum.__globals__.os.popen: Jinja's lipsum function leads to its module's globals, os among them",
                plain.encode(), [at("MA502", 1, 4, "lipsum"), at("MA500", 1, 11, "__globals__", obfuscated=False),
                                 *popen_chain(22)]),
        Fixture("malicious/subscript.jinja", "malicious", "jinja",
                "lipsum['__globals__']['os']: subscripts instead of attributes",
                f"{{{{ lipsum['__globals__']['os'].popen('echo pwned').read() }}}}\n".encode(),
                [at("MA502", 1, 4, "lipsum"), at("MA500", 1, 11, "__globals__", obfuscated=False),
                 at("MA501", 1, 26, "os"), at("MA501", 1, 32, "popen")]),
        obfuscation("attr_plus", "attr() with the name concatenated by +", "'__glo' + 'bals__'", 17),
        obfuscation("attr_tilde", "attr() with the name concatenated by ~", "'__glo' ~ 'bals__'", 17),
        obfuscation("reversed_slice", "the name reversed by a [::-1] slice", "'__slabolg__'[::-1]", 17),
        obfuscation("reverse_filter", "the name reversed by |reverse", "'__slabolg__'|reverse", 17),
        obfuscation("hex_escapes", "underscores as \\x5f escapes", r"'\x5f\x5fglobals\x5f\x5f'", 17),
        obfuscation("unicode_escapes", "underscores as \\u005f escapes", r"'\u005f\u005fglobals\u005f\u005f'", 17),
        obfuscation("join_filter", "the name joined from a list by |join", "['_', '_', 'globals', '_', '_']|join", 18),
        obfuscation("replace_filter", "the name made by |replace", "'XXglobalsXX'|replace('X', '_')", 17),
        obfuscation("format_filter", "the name made by |format with %c", "'%c%cglobals%c%c'|format(95, 95, 95, 95)", 17),
        obfuscation("format_method", "the name made by str.format", "'{0}{0}globals{0}{0}'.format('_')", 17),
        obfuscation("repetition", "underscores made by '_' * 2", "'_' * 2 ~ 'globals' ~ '_' * 2", 17),
        Fixture("malicious/variable_indirection.jinja", "malicious", "jinja",
                "the name built in a variable, then used as a key",
                (b"{%- set g = '__glo' ~ 'bals__' -%}\n{{ lipsum[g]" + POPEN.encode() + b"\n"),
                [at("MA500", 1, 13, "__globals__", obfuscated=True), at("MA502", 2, 4, "lipsum"),
                 at("MA500", 2, 11, "__globals__", obfuscated=True), at("MA501", 2, 14, "os"),
                 at("MA501", 2, 17, "popen")]),
        Fixture("malicious/escape_in_variable.jinja", "malicious", "jinja",
                "lipsum.__globals__ kept in a variable, then os reached on it: an escape followed through {% set %}",
                f"{{% set g = lipsum.__globals__ %}}{{{{ g{POPEN}\n".encode(),
                [at("MA502", 1, 12, "lipsum"), at("MA500", 1, 19, "__globals__", obfuscated=False),
                 *popen_chain(37)]),
        Fixture("malicious/map_attribute.jinja", "malicious", "jinja",
                "map(attribute='__globals__'): an attribute reached through a filter's argument",
                b"{{ [lipsum]|map(attribute='__globals__')|first }}\n",
                [at("MA500", 1, 27, "__globals__", obfuscated=False)]),
        Fixture("malicious/cycler_init_globals.jinja", "malicious", "jinja",
                "cycler.__init__.__globals__: the cycler class's constructor leads to os",
                f"{{{{ cycler.__init__.__globals__{POPEN}\n".encode(),
                [at("MA502", 1, 4, "cycler"), at("MA500", 1, 11, "__init__"), at("MA500", 1, 20, "__globals__"),
                 *popen_chain(31)]),
        Fixture("malicious/namespace_init_globals.jinja", "malicious", "jinja",
                "namespace.__init__.__globals__: namespace() is used by real templates, its attributes are not",
                b"{{ namespace.__init__.__globals__.os.system('echo pwned') }}\n",
                [at("MA502", 1, 4, "namespace"), at("MA500", 1, 14, "__init__"), at("MA500", 1, 23, "__globals__"),
                 at("MA501", 1, 35, "os"), at("MA501", 1, 38, "system")]),
        Fixture("malicious/self_template_reference.jinja", "malicious", "jinja",
                "self._TemplateReference__context: the template's context through a name-mangled attribute",
                f"{{{{ self._TemplateReference__context.cycler.__init__.__globals__{POPEN}\n".encode(),
                [at("MA502", 1, 4, "self"), at("MA500", 1, 9, "_TemplateReference__context"),
                 at("MA500", 1, 44, "__init__"), at("MA500", 1, 53, "__globals__"), *popen_chain(64)]),
        Fixture("malicious/config_class.jinja", "malicious", "jinja",
                "config.__class__: Flask's config object leads to its module's globals",
                b"{{ config.__class__.__init__.__globals__['os'].popen('echo pwned').read() }}\n",
                [at("MA502", 1, 4, "config"), at("MA500", 1, 11, "__class__"), at("MA500", 1, 21, "__init__"),
                 at("MA500", 1, 30, "__globals__"), at("MA501", 1, 42, "os"), at("MA501", 1, 48, "popen")]),
        Fixture("malicious/request_application.jinja", "malicious", "jinja",
                "request.application.__globals__.__builtins__.__import__('os')",
                b"{{ request.application.__globals__.__builtins__.__import__('os').popen('echo pwned').read() }}\n",
                [at("MA502", 1, 4, "request"), at("MA500", 1, 24, "__globals__"), at("MA500", 1, 36, "__builtins__"),
                 at("MA500", 1, 49, "__import__"), at("MA501", 1, 60, "os"), at("MA501", 1, 66, "popen")]),
        Fixture("malicious/subclasses_walk.jinja", "malicious", "jinja",
                "''.__class__.__mro__[1].__subclasses__(): the walk to every class of the interpreter",
                b"{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
                [at("MA500", 1, 7, "__class__"), at("MA500", 1, 17, "__mro__"), at("MA500", 1, 28, "__subclasses__")]),
        Fixture("malicious/cve_2024_34359.jinja", "malicious", "jinja",
                "CVE-2024-34359 (llama-cpp-python rendered GGUF chat templates unsandboxed): the published payload",
                (CVE_2024_34359 + "\n").encode(),
                [at(rule, line, column, name, severity=severity) if line else expected_finding(rule)
                 for rule, line, column, name, severity in CVE_FINDINGS]),
        Fixture("malicious/octal_escapes.jinja", "malicious", "jinja",
                "underscores as \\137 octal escapes: Python's Jinja decodes them, @huggingface/jinja refuses them",
                f"{{{{ (lipsum|attr('\\137\\137globals\\137\\137')){POPEN}\n".encode(),
                [expected_finding("MA503"), at("MA502", 1, 5, "lipsum"),
                 at("MA500", 1, 17, "__globals__", obfuscated=True), *popen_chain(44)]),
        Fixture("malicious/computed_attribute.jinja", "malicious", "jinja",
                "attr() with a name built at render time from the messages",
                (b"{%- set ns = namespace(name='') -%}\n"
                 b"{%- for part in messages[0].content.split(',') -%}{%- set ns.name = ns.name ~ part -%}{%- endfor -%}\n"
                 b"{{ lipsum|attr(ns.name) }}\n"),
                [at("MA502", 3, 4, "lipsum"), at("MA504", 3, 16)]),
        Fixture("malicious/unparsable.jinja", "suspicious", "jinja",
                "a template that does not parse (an unclosed for): not analysed as code",
                b"{% for message in messages %}{{ message.content }}\n",
                [expected_finding("MA503")]),
    ]
    return fixtures


def benign_twins() -> list[Fixture]:
    twins = [
        ("attr_constant", "twin of the attr() checks: attr() with a constant, harmless name",
         "{% for message in messages %}{{ message|attr('content') }}{% endfor %}"),
        ("namespace_attributes", "twin of MA501/MA502: namespace() called, a namespace variable named system",
         "{%- set ns = namespace(system='', found=false) -%}\n"
         "{%- for message in messages if message.role == 'system' -%}{%- set ns.system = message.content -%}"
         "{%- set ns.found = true -%}{%- endfor -%}\n{{ ns.system if ns.found else 'You are helpful.' }}"),
        ("prose_mentions_internals", "twin of the string checks: a prompt that mentions __init__.py and os.system",
         "{{ 'You write Python. Put an __init__.py in each package; never call os.system or eval.' }}"
         "{% for message in messages %}{{ message.content }}{% endfor %}"),
        ("string_tricks", "twin of the folding: slices, reverse, join, replace and format on harmless strings",
         "{{ messages[::-1][0].content }}{{ ['<|', 'im_start', '|>']|join }}{{ 'a-b'|replace('-', '_') }}"
         "{{ '%s: %s'|format(messages[0].role, messages[0].content) }}{{ 'olleh'[::-1] }}"),
        ("computed_subscript", "twin of MA504: keys computed at render time through subscripts, not attr()",
         "{% for tool in tools %}{% for key in tool.keys() %}{{ key }}={{ tool[key] }}{% endfor %}{% endfor %}"),
    ]
    return [Fixture(f"benign/{name}.jinja", "benign", "jinja", technique, (text + "\n").encode())
            for name, technique, text in twins]


def real_templates() -> dict[str, str]:
    """The committed real templates, by path under fixtures/jinja/."""
    return {str(path.relative_to(OUT)): path.read_text() for path in sorted(REAL.rglob("*.jinja"))}


def tokenizer_config(chat_template=None, **extra) -> bytes:
    """A tokenizer_config.json as transformers' save_pretrained writes it (sorted keys, 2-space indents),
    with ``chat_template`` when one is given."""
    config = {"bos_token": "<s>", "clean_up_tokenization_spaces": False, "eos_token": "</s>",
              "model_max_length": 131072, "tokenizer_class": "PreTrainedTokenizerFast", **extra}
    if chat_template is not None:
        config["chat_template"] = chat_template
    return (json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def json_fixtures(real: dict[str, str]) -> list[Fixture]:
    llama = real["benign/real/llama.cpp/meta-llama-Llama-3.1-8B-Instruct.jinja"]
    chatml = real["benign/real/huggingface.js/transformers-default-base.jinja"]
    command_r = [
        {"name": "default", "template": real["benign/real/huggingface.js/CohereForAI--c4ai-command-r-v01-JSON-Schema.jinja"]},
        {"name": "tool_use", "template": real["benign/real/llama.cpp/CohereForAI-c4ai-command-r-plus-tool_use.jinja"]},
    ]
    qwen_vl = real["benign/real/huggingface.js/Qwen--Qwen2.5-VL-7B-Instruct.jinja"]
    cycler = f"{{{{ cycler.__init__.__globals__{POPEN}"
    escaped = f"{{{{ (lipsum|attr('\\x5f\\x5fglobals\\x5f\\x5f')){POPEN}"
    return [
        Fixture("benign/llama-3.1/tokenizer_config.json", "benign", "chat-template-json",
                "real-shaped tokenizer_config.json with Llama 3.1's template as a string",
                tokenizer_config(llama, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>")),
        Fixture("benign/command-r/tokenizer_config.json", "benign", "chat-template-json",
                "real-shaped tokenizer_config.json with a list of named templates (default, tool_use)",
                tokenizer_config(command_r, bos_token="<BOS_TOKEN>", eos_token="<|END_OF_TURN_TOKEN|>")),
        Fixture("benign/qwen2.5-vl/chat_template.json", "benign", "chat-template-json",
                "a processor's chat_template.json (Qwen2.5-VL)",
                (json.dumps({"chat_template": qwen_vl}, indent=2, ensure_ascii=False) + "\n").encode()),
        Fixture("benign/no-template/tokenizer_config.json", "benign", "json",
                "twin of the JSON scanner: a tokenizer_config.json without chat_template is left to the JSON"
                " configuration scanner",
                tokenizer_config()),
        Fixture("malicious/cve_2024_34359/tokenizer_config.json", "malicious", "chat-template-json",
                "the CVE-2024-34359 payload as a tokenizer_config.json chat_template",
                tokenizer_config(CVE_2024_34359),
                [in_json(rule, "$.chat_template", line, column, name, severity)
                 for rule, line, column, name, severity in CVE_FINDINGS]),
        Fixture("malicious/named_templates/tokenizer_config.json", "malicious", "chat-template-json",
                "a list of named templates whose tool_use template escapes the sandbox",
                tokenizer_config([{"name": "default", "template": chatml}, {"name": "tool_use", "template": cycler}]),
                [in_json("MA502", "$.chat_template[1].template", 1, 4, "cycler"),
                 in_json("MA500", "$.chat_template[1].template", 1, 11, "__init__"),
                 in_json("MA500", "$.chat_template[1].template", 1, 20, "__globals__"),
                 in_json("MA501", "$.chat_template[1].template", 1, 32, "os"),
                 in_json("MA501", "$.chat_template[1].template", 1, 35, "popen")]),
        Fixture("malicious/processor/chat_template.json", "malicious", "chat-template-json",
                "a processor's chat_template.json with an escaped __globals__",
                (json.dumps({"chat_template": escaped}, indent=2) + "\n").encode(),
                [in_json("MA502", "$.chat_template", 1, 5, "lipsum"),
                 in_json("MA500", "$.chat_template", 1, 17, "__globals__"),
                 in_json("MA501", "$.chat_template", 1, 45, "os"),
                 in_json("MA501", "$.chat_template", 1, 48, "popen")]),
        Fixture("malicious/malformed/tokenizer_config.json", "suspicious", "chat-template-json",
                "chat_template that is neither a string nor a list of named templates",
                tokenizer_config({"default": 42}), [in_json("MA505", "$.chat_template")]),
        Fixture("malicious/malformed_entry/tokenizer_config.json", "suspicious", "chat-template-json",
                "a list entry without a template string",
                tokenizer_config([{"name": "default", "template": 42}]), [in_json("MA505", "$.chat_template[0]")]),
    ]


class GenerationTag(jinja2.ext.Extension):
    """Parses ``{% generation %}...{% endgeneration %}`` as transformers' AssistantTracker does (its body only)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.Scope(body, lineno=lineno)


def check_with_jinja2(fixtures: list[Fixture]) -> None:
    """Every template except the unparsable one parses with Python's Jinja as transformers configures it
    (loop controls, the generation tag); parsed only, never rendered."""
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True,
                             extensions=[GenerationTag, "jinja2.ext.loopcontrols"])
    for fx in fixtures:
        if not fx.file.endswith(".jinja"):
            continue
        text = fx.data.decode()
        try:
            env.parse(text)
        except jinja2.TemplateSyntaxError:
            assert fx.file == "malicious/unparsable.jinja", fx.file
        else:
            assert fx.file != "malicious/unparsable.jinja"


def main() -> None:
    real = real_templates()
    fixtures = [
        *malicious_templates(),
        *benign_twins(),
        *json_fixtures(real),
        *(Fixture(path, "benign", "jinja", "a real chat template, as published", text.encode())
          for path, text in real.items()),
    ]
    check_with_jinja2(fixtures)
    assumptions = [
        "Locations in .jinja files are line and column (from 1) of the name found, or of the first piece of"
        " an expression that folds to it; MA503 has none.",
        "Templates inside JSON files are located by key path ($.chat_template, $.chat_template[1].template);"
        " the line and column inside the template are the details templateLine and templateColumn.",
        "A template @huggingface/jinja cannot parse (the CVE payload's empty tuple, octal escapes) is MA503;"
        " it is then analysed with that Python-only syntax rewritten, or else searched as text.",
        "Real templates under benign/real/ are committed as collected and listed with their sources in"
        " README.md; every one must stay clean.",
    ]
    manifest = build_manifest("scripts/make_jinja_fixtures.py",
                              {"python": python_version(), "jinja2": jinja2.__version__}, assumptions, fixtures)
    write_fixtures(OUT, fixtures, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES)


if __name__ == "__main__":
    main()
