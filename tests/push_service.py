"""A push service of the tests' own on 127.0.0.1, doing what Apple's, Google's or Mozilla's does
with each push: it checks the VAPID signature and claims (RFC 8292) and refuses what fails them.
The test also plays the phone's browser: it holds the subscription's private key, so the service
here can decrypt each payload (RFC 8291, aes128gcm) and show exactly what reached the phone.

Nothing of our sending code is replaced: pywebpush posts over HTTP to this server.
"""

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A phone's browser: its own key pair and auth secret, as PushManager.subscribe() makes them."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = secrets.token_bytes(16)

    @property
    def p256dh(self) -> str:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(public)

    def decrypt(self, body: bytes) -> str:
        return http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        ).decode()


@dataclass
class Delivered:
    name: str
    payload: str
    claims: dict
    ttl: int
    urgency: str


@dataclass
class PushService:
    vapid_public_key: str
    browsers: dict[str, Browser] = field(default_factory=dict)
    # name -> the answers still to give, in order: (status, headers); then 201.
    answers: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    delivered: list[Delivered] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    # One browser's keys for every subscription name it was not told of (the benchmark's many phones).
    every_phone: Browser | None = None

    def start(self) -> "PushService":
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers = service.receive(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def subscribe(self, name: str) -> dict[str, str]:
        """A new browser's subscription at this service, as the app would send it to the server."""
        browser = self.browsers[name] = Browser()
        return {
            "endpoint": f"{self.origin}/push/{name}",
            "p256dh": browser.p256dh,
            "auth": b64url(browser.auth),
        }

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        name = path.rsplit("/", 1)[-1]
        problem = self._check(headers)
        if problem:
            self.refused.append(problem)
            return 401 if "signature" in problem or "key" in problem else 400, {}
        pending = self.answers.get(name)
        if pending:
            return pending.pop(0)
        browser = self.browsers.get(name, self.every_phone)
        if browser is None:
            return 410, {}
        claims = json.loads(b64url_decode(self._token(headers).split(".")[1]))
        self.delivered.append(
            Delivered(
                name=name,
                payload=browser.decrypt(body),
                claims=claims,
                ttl=int(headers.get("ttl", "0")),
                urgency=headers.get("urgency", ""),
            )
        )
        return 201, {}

    @staticmethod
    def _token(headers: dict[str, str]) -> str:
        scheme, _, params = headers.get("authorization", "").partition(" ")
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        return fields.get("t", "") if scheme.lower() == "vapid" else ""

    def _check(self, headers: dict[str, str]) -> str:
        """What a push service refuses: no VAPID, a key other than the app's, a bad signature,
        claims for another service or expired, or an encoding other than aes128gcm."""
        scheme, _, params = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "vapid":
            return "no vapid authorization"
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if fields.get("k", "").rstrip("=") != self.vapid_public_key.rstrip("="):
            return "another application server key"
        head, claims_part, signature = fields.get("t", "..").split(".")
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(fields["k"]))
        raw = b64url_decode(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            key.verify(der, f"{head}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad signature"
        claims = json.loads(b64url_decode(claims_part))
        if claims.get("aud") != self.origin:
            return f"audience {claims.get('aud')!r}"
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            return "expired or too long"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            return "no contact"
        if headers.get("content-encoding") != "aes128gcm":
            return f"encoding {headers.get('content-encoding')!r}"
        return ""
