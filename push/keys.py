"""The salon apps' VAPID key pair (RFC 8292): the public key goes to each phone's browser when it
subscribes; the private key signs every push, so the push service knows it comes from us."""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid, Vapid01


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def vapid_pair_new() -> tuple[str, str]:
    """A new (public, private) pair, each base64url: the public key as the browser takes it (an
    uncompressed P-256 point), the private key as its 32 raw bytes."""
    private = ec.generate_private_key(ec.SECP256R1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    return b64url(_public_bytes(private.public_key())), b64url(raw)


def _private_key(private: str) -> ec.EllipticCurvePrivateKey:
    try:
        raw = b64url_decode(private)
    except ValueError:
        raise ValueError("the private key is not base64url") from None
    if len(raw) != 32:
        raise ValueError("the private key must be 32 bytes, base64url (manage.py vapid_keys makes a pair)")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def vapid_pair_check(public: str, private: str) -> None:
    """Raise ValueError, saying what is wrong, unless the two keys are one pair."""
    if not (public and private):
        raise ValueError("set both keys, or neither (push is then off)")
    key = _private_key(private)
    if b64url(_public_bytes(key.public_key())) != public.rstrip("="):
        raise ValueError("the public key is not the private key's pair")


def vapid_signer(private: str) -> Vapid01:
    """The private key as the sending library takes it."""
    return Vapid(private_key=_private_key(private))
