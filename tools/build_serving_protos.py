"""Compiles kgan/serving/protos/*.proto into kgan/serving/protos/descriptors.binpb.

The server loads the compiled descriptors (it needs no protoc at run time);
run this after editing a `.proto` file. Needs grpcio-tools (in the `test` extra).

    python tools/build_serving_protos.py           # rebuild
    python tools/build_serving_protos.py --check   # exit 1 if the file is out of date
"""

import argparse
import json
import sys

from google.protobuf import descriptor_pb2

from kgan.serving import protos
from kgan.serving.protos import compile as protos_compile


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that descriptors.binpb is up to date")
    parser.add_argument("--json", default=None, help="also write the table as JSON to this file")
    args = parser.parse_args(argv)
    compiled = protos_compile.compile_descriptors()
    files = descriptor_pb2.FileDescriptorSet.FromString(compiled).file
    rows = [{"file": f.name, "package": f.package, "messages": len(f.message_type), "services": len(f.service)}
            for f in files]
    print(f"{'file':<44} {'package':<20} {'messages':>8} {'services':>8}")
    for row in rows:
        print(f"{row['file']:<44} {row['package']:<20} {row['messages']:>8} {row['services']:>8}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    if args.check:
        with open(protos.DESCRIPTORS, "rb") as f:
            current = descriptor_pb2.FileDescriptorSet.FromString(f.read())
        same = current == descriptor_pb2.FileDescriptorSet.FromString(compiled)
        print("descriptors.binpb is " + ("up to date" if same else "OUT OF DATE: run tools/build_serving_protos.py"))
        return 0 if same else 1
    with open(protos.DESCRIPTORS, "wb") as f:
        f.write(compiled)
    print(f"wrote {protos.DESCRIPTORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
