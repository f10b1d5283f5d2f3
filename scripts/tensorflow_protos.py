"""TensorFlow's protobuf schema as modelaudit commits it, both ways round.

``scanners/tensorflow/protos.json`` is a protobufjs JSON descriptor (field names as in the .proto files) of the
messages a SavedModel, a GraphDef, ``fingerprint.pb`` and ``keras_metadata.pb`` are made of.
``make_tensorflow_descriptor.py`` writes it from TensorFlow's own compiled descriptors (``to_protobufjs``);
``make_tensorflow_fixtures.py`` builds Python message classes back from it (``message_classes``), so that the
fixtures and the scanner read one schema and no ``.proto`` file is needed to regenerate either.

Standard library and Debian's ``python3-protobuf`` only.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOS_JSON = ROOT / "scanners" / "tensorflow" / "protos.json"

# FieldDescriptorProto.Type numbers and protobufjs's names for the scalar types.
SCALARS = {1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
           9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64"}
SCALAR_NUMBERS = {name: number for number, name in SCALARS.items()}
TYPE_MESSAGE, TYPE_ENUM, LABEL_OPTIONAL, LABEL_REPEATED = 11, 14, 1, 3


def _message_json(message) -> dict:
    """protobufjs JSON of a DescriptorProto: fields (maps as keyType/type), real oneofs, nested types and enums."""
    entries = {nested.name: nested for nested in message.nested_type if nested.options.map_entry}
    fields: dict = {}
    oneofs: dict = {}
    for field in message.field:
        assert not field.proto3_optional, f"{message.name}.{field.name}: proto3 optional is not converted"
        entry_name = field.type_name.rsplit(".", 1)[-1]
        if field.type == TYPE_MESSAGE and field.label == LABEL_REPEATED and entry_name in entries \
                and field.type_name.endswith(f"{message.name}.{entry_name}"):
            key, value = entries[entry_name].field
            fields[field.name] = {"keyType": SCALARS[key.type], "type": _type_of(value), "id": field.number}
            continue
        out: dict = {}
        if field.label == LABEL_REPEATED:
            out["rule"] = "repeated"
        out["type"] = _type_of(field)
        out["id"] = field.number
        fields[field.name] = out
        if field.HasField("oneof_index"):
            oneofs.setdefault(message.oneof_decl[field.oneof_index].name, []).append(field.name)
    out = {}
    if oneofs:
        out["oneofs"] = {name: {"oneof": members} for name, members in oneofs.items()}
    out["fields"] = fields
    nested = {n.name: _message_json(n) for n in message.nested_type if not n.options.map_entry}
    nested.update({e.name: _enum_json(e) for e in message.enum_type})
    if nested:
        out["nested"] = nested
    return out


def _type_of(field) -> str:
    return field.type_name if field.type in (TYPE_MESSAGE, TYPE_ENUM) else SCALARS[field.type]


def _enum_json(enum) -> dict:
    return {"values": {value.name: value.number for value in enum.value}}


def to_protobufjs(files) -> dict:
    """One protobufjs JSON root of the FileDescriptorProtos ``files``: types nested under their packages."""
    root: dict = {"nested": {}}
    for file in files:
        namespace = root
        for part in file.package.split("."):
            namespace = namespace["nested"].setdefault(part, {"nested": {}})
        for message in file.message_type:
            namespace["nested"][message.name] = _message_json(message)
        for enum in file.enum_type:
            namespace["nested"][enum.name] = _enum_json(enum)
    return _sorted(root)


def _sorted(node):
    """Namespaces and types by name, so that the file does not depend on the order files were read in."""
    if isinstance(node, dict) and "nested" in node:
        node["nested"] = {name: _sorted(node["nested"][name]) for name in sorted(node["nested"])}
    return node


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _fill_message(descriptor_pb2, message, name: str, spec: dict) -> None:
    message.name = name
    oneof_of = {}
    for index, (oneof, members) in enumerate(spec.get("oneofs", {}).items()):
        message.oneof_decl.add().name = oneof
        oneof_of.update({member: index for member in members["oneof"]})
    for field_name, field_spec in spec["fields"].items():
        field = message.field.add(name=field_name, number=field_spec["id"], json_name=_json_name(field_name))
        if "keyType" in field_spec:
            entry = message.nested_type.add(name=_camel(field_name) + "Entry")
            entry.options.map_entry = True
            _set_type(entry.field.add(name="key", number=1, label=LABEL_OPTIONAL, json_name="key"),
                      field_spec["keyType"])
            _set_type(entry.field.add(name="value", number=2, label=LABEL_OPTIONAL, json_name="value"),
                      field_spec["type"])
            field.label = LABEL_REPEATED
            field.type = TYPE_MESSAGE
            field.type_name = f".{message.name}.{entry.name}"  # completed by _qualify
            continue
        field.label = LABEL_REPEATED if field_spec.get("rule") == "repeated" else LABEL_OPTIONAL
        _set_type(field, field_spec["type"])
        if field_name in oneof_of:
            field.oneof_index = oneof_of[field_name]
    for nested_name, nested_spec in spec.get("nested", {}).items():
        if "values" in nested_spec:
            _fill_enum(message.enum_type.add(), nested_name, nested_spec)
        else:
            _fill_message(descriptor_pb2, message.nested_type.add(), nested_name, nested_spec)


def _json_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _set_type(field, type_name: str) -> None:
    if type_name in SCALAR_NUMBERS:
        field.type = SCALAR_NUMBERS[type_name]
    else:
        field.type_name = type_name  # fully qualified (".tensorflow.DataType"); kind resolved by _resolve_kinds


def _fill_enum(enum, name: str, spec: dict) -> None:
    enum.name = name
    for value_name, number in spec["values"].items():
        enum.value.add(name=value_name, number=number)


def _collect(spec: dict, prefix: str, kinds: dict) -> None:
    for name, nested in spec.get("nested", {}).items():
        full = f"{prefix}.{name}"
        kinds[full] = TYPE_ENUM if "values" in nested else TYPE_MESSAGE
        _collect(nested, full, kinds)


def _resolve_kinds(message, scope: str, kinds: dict) -> None:
    for field in message.field:
        if field.type_name.startswith(f".{message.name}.") and field.type_name.endswith("Entry"):
            field.type_name = f"{scope}.{message.name}.{field.type_name.rsplit('.', 1)[-1]}"
        if field.type_name:
            field.type = kinds.get(field.type_name, TYPE_MESSAGE)
    for nested in message.nested_type:
        _resolve_kinds(nested, f"{scope}.{message.name}", kinds)


def message_classes(path: Path = PROTOS_JSON) -> dict:
    """Python classes of every message in the committed descriptor, by full name (``tensorflow.SavedModel``)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    root = json.loads(path.read_text())
    kinds: dict = {}
    _collect(root, "", kinds)
    packages = []

    def walk(spec: dict, package: list[str]) -> None:
        types = {n: s for n, s in spec.get("nested", {}).items() if "fields" in s or "values" in s}
        if types:
            packages.append((".".join(package), types))
        for name, nested in spec.get("nested", {}).items():
            if name not in types:
                walk(nested, package + [name])

    walk(root, [])
    pool = descriptor_pool.DescriptorPool()
    files = []
    for package, types in packages:
        file = descriptor_pb2.FileDescriptorProto(name=f"modelaudit/{package}.proto", package=package,
                                                  syntax="proto3")
        for name, spec in types.items():
            if "values" in spec:
                _fill_enum(file.enum_type.add(), name, spec)
            else:
                _fill_message(descriptor_pb2, file.message_type.add(), name, spec)
        for message in file.message_type:
            _resolve_kinds(message, f".{package}", kinds)
        files.append(file)
    names = {file.package: file.name for file in files}
    for file in files:
        used = {field.type_name for message in _all_messages(file.message_type) for field in message.field}
        file.dependency.extend(sorted({names[p] for p in names if p != file.package
                                       and any(t.startswith(f".{p}.") and t.count(".") == p.count(".") + 2
                                               for t in used)}))
    added: set[str] = set()

    def add(file) -> None:
        if file.name in added:
            return
        for dependency in file.dependency:
            add(next(f for f in files if f.name == dependency))
        pool.Add(file)
        added.add(file.name)

    for file in files:
        add(file)
    factory = message_factory.MessageFactory(pool)
    classes = {}
    for file in files:
        for message in _all_messages(file.message_type, file.package):
            full = message if isinstance(message, str) else None
            if full:
                classes[full] = factory.GetPrototype(pool.FindMessageTypeByName(full))
    return classes


def _all_messages(messages, scope: str | None = None):
    """Every message of ``messages`` and their nested ones; full names when ``scope`` is given."""
    for message in messages:
        if scope is None:
            yield message
            yield from _all_messages(message.nested_type)
        elif not message.options.map_entry:
            yield f"{scope}.{message.name}"
            yield from _all_messages(message.nested_type, f"{scope}.{message.name}")
