"""moto's S3 server with the one Object Lock rule of AWS that moto 5 leaves out.

AWS refuses to shorten a COMPLIANCE retention or to change its mode, for anyone
("Using S3 Object Lock": compliance mode); moto's put_object_retention sets whatever it is
given. Everything else is moto as shipped. Usage: python3 moto_aws.py -H 127.0.0.1 -p PORT
"""
import datetime

from moto.s3 import models
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

if __name__ == "__main__":
    main()
