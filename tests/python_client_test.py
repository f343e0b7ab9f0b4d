"""The protos compile with Debian's python3-grpc-tools, and a Python client can use what they make.

Runs the command docs/api.md gives to integrators, then builds and reads back a request that sets
the one field whose presence matters (ConfigurePoolRequest.accepted_grace_seconds).
"""
import pathlib
import subprocess
import sys
import tempfile

proto_dir = pathlib.Path(sys.argv[1])
with tempfile.TemporaryDirectory() as out:
    protos = sorted(str(p.relative_to(proto_dir)) for p in proto_dir.glob("lexroute/v1/*.proto"))
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_dir}",
                    f"--python_out={out}", f"--grpc_python_out={out}", *protos],
                   check=True)
    sys.path.insert(0, out)
    from lexroute.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402

    request = admin_pb2.ConfigurePoolRequest(pool="default")
    assert not request.HasField("accepted_grace_seconds")
    request.accepted_grace_seconds.value = 0  # zero, and still set: "no grace period"
    again = admin_pb2.ConfigurePoolRequest.FromString(request.SerializeToString())
    assert again.HasField("accepted_grace_seconds") and again.accepted_grace_seconds.value == 0
    assert hasattr(admin_pb2_grpc, "AdminStub")
print("ok")
