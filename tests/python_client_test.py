"""The protos compile with Debian's python3-grpc-tools, and a Python client can use what they make.

Runs the command docs/api.md gives to integrators, then builds and reads back a request that sets
the one field whose presence matters (ConfigurePoolRequest.accepted_grace_seconds), and a staff
answer, which carries the staff view of the task (`work`), never the whole task.
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
    from lexroute.v1 import admin_pb2, admin_pb2_grpc, worker_pb2  # noqa: E402

    request = admin_pb2.ConfigurePoolRequest(pool="default")
    assert not request.HasField("accepted_grace_seconds")
    request.accepted_grace_seconds.value = 0  # zero, and still set: "no grace period"
    again = admin_pb2.ConfigurePoolRequest.FromString(request.SerializeToString())
    assert again.HasField("accepted_grace_seconds") and again.accepted_grace_seconds.value == 0
    assert hasattr(admin_pb2_grpc, "AdminStub")

    assert "task" not in worker_pb2.OfferActionResponse.DESCRIPTOR.fields_by_name
    answer = worker_pb2.OfferActionResponse()
    answer.work.task_id = "t-1"
    answer.work.allowed_outcomes.extend(["privileged", "not-privileged"])
    again = worker_pb2.OfferActionResponse.FromString(answer.SerializeToString())
    assert list(again.work.allowed_outcomes) == ["privileged", "not-privileged"]
    schemes = admin_pb2.SetPayloadSchemesRequest(firm_id="acme", schemes=["dms"])
    assert list(schemes.schemes) == ["dms"]
print("ok")
