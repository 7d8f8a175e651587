import base64
import hashlib
import hmac

from outages.alerts import signing

# The Standard Webhooks spec's own example.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'


def test_the_signature_matches_the_specs_example():
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing.signature(SECRET, MESSAGE_ID, TIMESTAMP, BODY) == expected


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body():
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = f"{MESSAGE_ID}.{TIMESTAMP}.".encode() + BODY
    mac = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    headers = signing.headers(SECRET, MESSAGE_ID, TIMESTAMP, BODY)
    assert headers == {
        "webhook-id": MESSAGE_ID,
        "webhook-timestamp": "1614265330",
        "webhook-signature": f"v1,{mac}",
    }


def test_a_new_secret_is_whsec_and_24_random_bytes():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert signing.new_secret() != secret
