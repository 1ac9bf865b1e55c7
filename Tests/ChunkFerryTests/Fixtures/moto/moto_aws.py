"""moto's S3 server with what of AWS moto 5 leaves out that ChunkFerry's tests depend on.

- AWS refuses to shorten a COMPLIANCE retention or to change its mode, for anyone ("Using S3
  Object Lock": compliance mode); moto's put_object_retention sets whatever it is given.
- With IAM enforced (INITIAL_NO_AUTH_ACTION_COUNT), the action AWS checks for three requests
  ("Actions, resources, and condition keys for Amazon S3"): HeadBucket is s3:ListBucket (moto:
  a made-up s3:HeadBucket), GET ?object-lock is s3:GetBucketObjectLockConfiguration and PUT
  ?retention is s3:PutObjectRetention (moto: s3:ListBucket and s3:PutObject).
- SigV4's canonical query string is built from the query as sent, each name and value
  URI-encoded (a `/` in a prefix is %2F); moto builds it from the query already decoded, so
  any signed request whose query holds a `/` fails with SignatureDoesNotMatch.

Everything else is moto as shipped. Usage: python3 moto_aws.py -H 127.0.0.1 -p PORT
"""
import datetime
import urllib.parse

from moto.iam import access_control
from moto.s3 import models, responses
from moto.s3.exceptions import AccessDeniedByLock
from moto.server import main

original = models.S3Backend.put_object_retention


def parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def put_object_retention(self, bucket_name, key_name, version_id, retention):
    key = self.get_object(bucket_name, key_name, version_id=version_id)
    mode, until = retention
    if key is not None and key.lock_mode == "COMPLIANCE" and parse(key.lock_until) is not None:
        held = parse(key.lock_until)
        if held > datetime.datetime.now(datetime.timezone.utc) and (mode != "COMPLIANCE" or parse(until) is None or parse(until) < held):
            raise AccessDeniedByLock()
    return original(self, bucket_name, key_name, version_id, retention)


models.S3Backend.put_object_retention = put_object_retention
responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"
responses.ACTION_MAP["BUCKET"]["GET"]["object-lock"] = "GetBucketObjectLockConfiguration"
responses.ACTION_MAP["KEY"]["PUT"]["retention"] = "PutObjectRetention"

original_request = access_control.IAMRequestBase._create_aws_request


def create_aws_request(self):
    request = original_request(self)
    path, _, query = request.url.partition("?")
    if query:
        # Already decoded: split as it is (parse_qsl would read a `+` as a space).
        pairs = [part.partition("=") for part in query.split("&")]
        encode = lambda text: urllib.parse.quote(text, safe="-_.~")
        request.url = path + "?" + "&".join(f"{encode(name)}={encode(value)}" for name, _, value in pairs)
    return request


access_control.IAMRequestBase._create_aws_request = create_aws_request

if __name__ == "__main__":
    main()
