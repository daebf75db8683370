"""Prepares the test S3 server (scripts/lib/s3.sh): waits for it, makes an IAM user whose key may use S3
(the three unsigned calls moto lets through before it checks every signature), and the tests' bucket,
with that key. Prints the settings as shell exports."""

import json
import sys
import time
import urllib.request

import boto3

endpoint = sys.argv[1]
for _ in range(100):
    try:
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
        break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit(f"moto did not answer at {endpoint}")

iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="berth")
key = iam.create_access_key(UserName="berth")["AccessKey"]
iam.put_user_policy(UserName="berth", PolicyName="backups", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}))
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket="berth-test-backups")
print(f"export BERTH_TEST_S3_BUCKET=berth-test-backups")
print(f"export BERTH_TEST_S3_ACCESS_KEY_ID={key['AccessKeyId']}")
print(f"export BERTH_TEST_S3_SECRET_ACCESS_KEY='{key['SecretAccessKey']}'")
