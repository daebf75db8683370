"""botocore's SigV4 signer for S3, the reference the ObjectStorage tests hold ours to. Reads a JSON array
of requests on standard input, each {"method", "scheme", "host", "path" (unencoded), "query" ([name, value]
pairs, unencoded), "headers" ([name, value] pairs), "payloadHash", "time" (seconds since 1970),
"accessKeyId", "secret", "region"}, and prints the Authorization header botocore gives each, a line each.
The path is encoded as botocore's S3 serializer encodes keys; the query botocore encodes itself."""

import datetime
import json
import sys
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

for item in json.load(sys.stdin):
    stamp = datetime.datetime.fromtimestamp(item["time"], datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {name: value for name, value in item["headers"]}
    headers["X-Amz-Date"] = stamp
    headers["X-Amz-Content-SHA256"] = item["payloadHash"]
    request = AWSRequest(
        method=item["method"],
        url=f'{item["scheme"]}://{item["host"]}{quote(item["path"], safe="/~")}',
        params={name: value for name, value in item["query"]},
        headers=headers,
    )
    request.context["timestamp"] = stamp
    auth = S3SigV4Auth(Credentials(item["accessKeyId"], item["secret"]), "s3", item["region"])
    # add_auth would take the time from the clock and hash the body itself; these are its other steps.
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    print(request.headers["Authorization"])
