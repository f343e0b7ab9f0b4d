#!/usr/bin/python3
"""Asks a gRPC server's standard health service (grpc.health.v1.Health/Check) how it is.

Usage: grpc_health.py HOST:PORT [SERVICE]. Prints the status (SERVING, NOT_SERVING, ...) and
exits 0 only for SERVING. The request and answer are encoded by hand (one string field, one enum
field), so only Debian's python3-grpcio is needed, not the health package's generated code.
"""
import sys

import grpc

STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def encode_request(service: str) -> bytes:
    name = service.encode()
    return b"" if not name else bytes([0x0A, len(name)]) + name


def decode_status(answer: bytes) -> int:
    # HealthCheckResponse { ServingStatus status = 1; }: tag 0x08 then a one-byte varint.
    if len(answer) >= 2 and answer[0] == 0x08:
        return answer[1]
    return 0


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    target = sys.argv[1]
    service = sys.argv[2] if len(sys.argv) == 3 else ""
    with grpc.insecure_channel(target) as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=lambda b: b,
            response_deserializer=lambda b: b,
        )
        try:
            answer = check(encode_request(service), timeout=5)
        except grpc.RpcError as e:
            print(f"{target}: {e.code().name}: {e.details()}")
            return 1
    status = STATUS.get(decode_status(answer), "UNKNOWN")
    print(f"{target}: {status}")
    return 0 if status == "SERVING" else 1


if __name__ == "__main__":
    sys.exit(main())
