"""Writes the TensorFlow schema and op registry the TensorFlow scanner commits as data.

    /usr/bin/python3 scripts/make_tensorflow_descriptor.py TENSORFLOW_JAVA_GIT_DIR

TensorFlow cannot be installed here, so both come from a checkout of tensorflow/java (its git directory is
enough: files are read with ``git show HEAD:...``), which builds against one TensorFlow release and commits
what that release compiled:

- the ``FileDescriptorProto`` of every TensorFlow ``.proto`` file, serialized by protoc into the generated Java
  classes (``descriptorData`` in ``org/tensorflow/proto/*.java``). The closure of ``saved_model.proto``,
  ``graph.proto`` and ``fingerprint.proto`` (plus ``google/protobuf/any.proto`` and ``wrappers.proto``, from
  Python's protobuf) becomes ``scanners/tensorflow/protos.json``, a protobufjs JSON descriptor. Keras's
  ``SavedMetadata`` (``keras_metadata.pb``; ``tf_keras/protobuf/saved_metadata.proto``, four fields and a
  ``VersionDef``) is not part of TensorFlow; it is declared below after tf-keras's file.
- the op registry: ``ops.pbtxt`` (every op the C library registers, as ``OpList`` text) and the ops TensorFlow
  keeps an API definition for (``tensorflow-core-api/src/api/api_def_*.pbtxt``: the XLA ops the Python build
  registers, such as ``XlaCallModule`` in jax2tf models, and ops of earlier releases) become
  ``scanners/tensorflow/registered_ops.json``, the names only. Ops TensorFlow registers for internal use (names
  starting with ``_``) are in neither; the scanner knows them by that prefix.

Nothing is committed from the checkout itself. Re-running on the same commit gives no diff.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("google.protobuf",))

from google.protobuf import any_pb2, descriptor_pb2, text_format, wrappers_pb2  # noqa: E402

from fixture_manifest import ROOT, write_json  # noqa: E402
from tensorflow_protos import PROTOS_JSON, to_protobufjs  # noqa: E402

PROTO_DIR = "tensorflow-core/tensorflow-core-native/src/gen/java/org/tensorflow/proto"
OPS_PBTXT = "tensorflow-core/tensorflow-core-native/src/gen/resources/org/tensorflow/ops.pbtxt"
API_DEF_DIR = "tensorflow-core/tensorflow-core-api/src/api"
ROOTS = ["tensorflow/core/protobuf/saved_model.proto", "tensorflow/core/framework/graph.proto",
         "tensorflow/core/protobuf/fingerprint.proto"]
OPS_JSON = ROOT / "scanners" / "tensorflow" / "registered_ops.json"

# tf_keras/protobuf/saved_metadata.proto and versions.proto (package third_party.py.tf_keras.protobuf).
KERAS_METADATA = """
name: "tf_keras/protobuf/saved_metadata.proto" package: "third_party.py.tf_keras.protobuf" syntax: "proto3"
message_type { name: "SavedMetadata"
  field { name: "nodes" number: 1 label: LABEL_REPEATED type: TYPE_MESSAGE
          type_name: ".third_party.py.tf_keras.protobuf.SavedObject" } }
message_type { name: "SavedObject"
  field { name: "node_id" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
  field { name: "node_path" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "identifier" number: 4 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "metadata" number: 5 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "version" number: 6 label: LABEL_OPTIONAL type: TYPE_MESSAGE
          type_name: ".third_party.py.tf_keras.protobuf.VersionDef" } }
message_type { name: "VersionDef"
  field { name: "producer" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
  field { name: "min_consumer" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
  field { name: "bad_consumers" number: 3 label: LABEL_REPEATED type: TYPE_INT32 } }
"""


def git_show(git_dir: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], check=True, capture_output=True,
                          text=True, encoding="latin-1").stdout


def java_descriptor(source: str) -> bytes | None:
    """The serialized FileDescriptorProto in a protoc-generated Java class: its string literals, joined, with
    Java's escapes undone; protoc writes each byte as one char (ISO-8859-1), octal-escaped when not printable."""
    match = re.search(r"descriptorData = \{\n(.*?)\n\s*\};", source, re.S)
    if not match:
        return None
    text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))
    out = bytearray()
    simple = {"n": 10, "t": 9, "r": 13, '"': 34, "'": 39, "\\": 92, "b": 8, "f": 12}
    i = 0
    while i < len(text):
        if text[i] != "\\":
            out.append(ord(text[i]))
            i += 1
        elif text[i + 1] in "01234567":
            octal = re.match(r"[0-7]{1,3}", text[i + 1:i + 4]).group(0)
            out.append(int(octal, 8))
            i += 1 + len(octal)
        elif text[i + 1] == "u":
            out.append(int(text[i + 2:i + 6], 16))
            i += 6
        else:
            out.append(simple[text[i + 1]])
            i += 2
    return bytes(out)


def main() -> None:
    git_dir = sys.argv[1]
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "--name-only", f"HEAD:{PROTO_DIR}"],
                             check=True, capture_output=True, text=True).stdout.split()
    files = {}
    for name in listing:
        data = java_descriptor(git_show(git_dir, f"{PROTO_DIR}/{name}")) if name.endswith(".java") else None
        if data:
            file = descriptor_pb2.FileDescriptorProto.FromString(data)
            files[file.name] = file
    for module in (any_pb2, wrappers_pb2):
        file = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(file)
        files[file.name] = file
    wanted: list = []

    def close(name: str) -> None:
        if name in (f.name for f in wanted):
            return
        for dependency in files[name].dependency:
            close(dependency)
        wanted.append(files[name])

    for name in ROOTS:
        close(name)
    wanted.append(text_format.Parse(KERAS_METADATA, descriptor_pb2.FileDescriptorProto()))
    write_json(PROTOS_JSON, to_protobufjs(wanted))
    registered = set(re.findall(r'^op \{\n  name: "([^"]+)"', git_show(git_dir, OPS_PBTXT), re.M))
    api_defs = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "--name-only", f"HEAD:{API_DEF_DIR}"],
                              check=True, capture_output=True, text=True).stdout.split()
    defined = {name[len("api_def_"):-len(".pbtxt")] for name in api_defs if name.startswith("api_def_")}
    ops = sorted(registered | defined)
    write_json(OPS_JSON, {
        "source": f"tensorflow/java {commit}: {OPS_PBTXT} and {API_DEF_DIR}/api_def_*.pbtxt",
        "ops": ops,
    })
    print(f"wrote {PROTOS_JSON.relative_to(ROOT)} ({len(wanted)} files) and {OPS_JSON.relative_to(ROOT)} "
          f"({len(ops)} ops)")


if __name__ == "__main__":
    main()
