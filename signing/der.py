"""A minimal, strict DER encoder and decoder: just what SM2 keys, signatures and certificates need.

Only single-byte tags and definite lengths are accepted; lengths and INTEGERs must be minimal, so every
value has exactly one encoding (what makes signatures and certificate fingerprints unambiguous).
Malformed input raises :class:`DerError`; callers turn it into their own public error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

BOOLEAN = 0x01
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
IA5_STRING = 0x16
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31

MAX_DEPTH = 32


class DerError(ValueError):
    """Bytes that are not the strict DER this module accepts (internal; callers re-raise their own)."""


@dataclass(frozen=True)
class Node:
    """One decoded TLV: ``tag`` is the identifier octet, ``value`` the contents, ``raw`` the whole TLV."""

    tag: int
    value: bytes
    raw: bytes

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def children(self) -> list[Node]:
        if not self.constructed:
            raise DerError(f"tag 0x{self.tag:02x} is primitive, expected a constructed value")
        return decode_all(self.value)

    def expect(self, tag: int) -> Node:
        if self.tag != tag:
            raise DerError(f"expected tag 0x{tag:02x}, found 0x{self.tag:02x}")
        return self


def _read_tlv(data: bytes, pos: int) -> tuple[Node, int]:
    if pos + 2 > len(data):
        raise DerError("truncated DER value")
    start = pos
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tags are not supported")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise DerError("indefinite length is not DER")
    else:
        count = first & 0x7F
        if count > 4 or pos + count > len(data):
            raise DerError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        if length < 0x80 or data[pos] == 0:
            raise DerError("non-minimal DER length")
        pos += count
    end = pos + length
    if end > len(data):
        raise DerError("truncated DER value")
    return Node(tag, data[pos:end], data[start:end]), end


def decode(data: bytes) -> Node:
    """Decode exactly one TLV; trailing bytes are an error."""
    node, end = _read_tlv(data, 0)
    if end != len(data):
        raise DerError("trailing bytes after DER value")
    return node


def decode_all(data: bytes) -> list[Node]:
    """Decode a concatenation of TLVs (the contents of a SEQUENCE or SET)."""
    nodes: list[Node] = []
    pos = 0
    while pos < len(data):
        node, pos = _read_tlv(data, pos)
        nodes.append(node)
    return nodes


# ---- decoding helpers ---------------------------------------------------------------------------------


def to_int(node: Node) -> int:
    node.expect(INTEGER)
    value = node.value
    if not value:
        raise DerError("empty INTEGER")
    if len(value) > 1 and ((value[0] == 0 and value[1] < 0x80) or (value[0] == 0xFF and value[1] >= 0x80)):
        raise DerError("non-minimal INTEGER")
    return int.from_bytes(value, "big", signed=True)


def to_oid(node: Node) -> str:
    node.expect(OID)
    value = node.value
    if not value or value[-1] & 0x80:
        raise DerError("bad OBJECT IDENTIFIER")
    arcs: list[int] = []
    acc = 0
    at_start = True
    for byte in value:
        if at_start and byte == 0x80:
            raise DerError("non-minimal OBJECT IDENTIFIER arc")
        acc = (acc << 7) | (byte & 0x7F)
        at_start = not byte & 0x80
        if at_start:
            arcs.append(acc)
            acc = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def to_bit_string(node: Node) -> bytes:
    """The bits of a BIT STRING with no unused bits (keys, signatures)."""
    node.expect(BIT_STRING)
    if not node.value or node.value[0] != 0:
        raise DerError("BIT STRING with unused bits")
    return node.value[1:]


def to_bool(node: Node) -> bool:
    node.expect(BOOLEAN)
    if node.value == b"\xff":
        return True
    if node.value == b"\x00":
        return False
    raise DerError("bad BOOLEAN")


def to_time(node: Node) -> datetime:
    """UTCTime or GeneralizedTime in the ``…Z`` forms RFC 5280 allows, as an aware UTC datetime."""
    try:
        text = node.value.decode("ascii")
        if node.tag == UTC_TIME and len(text) == 13 and text.endswith("Z"):
            parsed = datetime.strptime(text, "%y%m%d%H%M%SZ")
            year = parsed.year if parsed.year < 2050 else parsed.year - 100
            return parsed.replace(year=year, tzinfo=UTC)
        if node.tag == GENERALIZED_TIME and len(text) == 15 and text.endswith("Z"):
            return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    except (UnicodeDecodeError, ValueError):
        pass
    raise DerError("bad certificate time")


def to_text(node: Node) -> str:
    """A directory string: UTF8String, PrintableString, IA5String or BMPString."""
    try:
        if node.tag in (UTF8_STRING, PRINTABLE_STRING, IA5_STRING):
            return node.value.decode("utf-8")
        if node.tag == BMP_STRING:
            return node.value.decode("utf-16-be")
    except UnicodeDecodeError:
        raise DerError("badly encoded string") from None
    raise DerError(f"unsupported string type 0x{node.tag:02x}")


# ---- encoding -----------------------------------------------------------------------------------------


def tlv(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        return bytes([tag, length]) + value
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + value


def integer(value: int) -> bytes:
    # Minimal two's complement: room for the sign bit; -128 is one byte (0x80), not two (0xff80).
    magnitude = value if value >= 0 else ~value
    size = magnitude.bit_length() // 8 + 1
    return tlv(INTEGER, value.to_bytes(size, "big", signed=True))


def unsigned_integer_bytes(value: bytes) -> bytes:
    """An INTEGER from big-endian unsigned bytes, without converting a (possibly secret) value to int."""
    stripped = value.lstrip(b"\x00") or b"\x00"
    if stripped[0] & 0x80:
        stripped = b"\x00" + stripped
    return tlv(INTEGER, stripped)


def octet_string(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


def bit_string(value: bytes) -> bytes:
    return tlv(BIT_STRING, b"\x00" + value)


def null() -> bytes:
    return b"\x05\x00"


def boolean(value: bool) -> bytes:
    return tlv(BOOLEAN, b"\xff" if value else b"\x00")


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def sequence(*parts: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(parts))


def set_of(*parts: bytes) -> bytes:
    return tlv(SET, b"".join(sorted(parts)))


def utf8_string(text: str) -> bytes:
    return tlv(UTF8_STRING, text.encode("utf-8"))


def printable_string(text: str) -> bytes:
    return tlv(PRINTABLE_STRING, text.encode("ascii"))


def explicit(number: int, inner: bytes) -> bytes:
    """A context-specific constructed [number] EXPLICIT wrapper."""
    return tlv(0xA0 | number, inner)


def time(value: datetime) -> bytes:
    """UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5)."""
    utc = value.astimezone(UTC)
    if utc.year < 2050:
        return tlv(UTC_TIME, utc.strftime("%y%m%d%H%M%SZ").encode("ascii"))
    return tlv(GENERALIZED_TIME, utc.strftime("%Y%m%d%H%M%SZ").encode("ascii"))
