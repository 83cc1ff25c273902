"""GS1 identifiers: GTIN, GLN, lot and serial numbers, element strings and Digital Links.

Pure Python, no Odoo: what GS1 General Specifications (section 7.9 check digits, 7.11
character set 82, 3.2 and 7.8 element strings) and the GS1 Digital Link URI syntax (1.4)
ask of the identifiers we print. Checks return a reason (``None`` when the value is fine)
instead of raising; models turn the reason into a ``UserError`` or ``ValidationError``.

Messages are written with ``translate(source, **params)``, a parameter of each check
(untranslated by default): a model passes ``self.env._`` to get them in the user's language.
"""

import datetime
import io
import re
from urllib.parse import quote

# GS1 AI encodable character set 82 (General Specifications, figure 7.11-1).
CHARSET_82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
# FNC1: in first position it marks a GS1 symbol; after a variable-length element string
# that is not the last, it separates (transmitted by scanners as ASCII 29, GS).
GS = "\x1d"
AI_GTIN = "01"
AI_EXPIRY = "17"
AI_LOT = "10"
AI_SERIAL = "21"
LOT_MAX_LENGTH = 20
GTIN_LENGTHS = (8, 12, 13, 14)
DIGITAL_LINK_DOMAIN = "https://id.gs1.org"


def _untranslated(source, **params):
    """Untranslated message (the default ``translate`` of the checks)."""
    return source % params if params else source


def check_digit(digits):
    """The GS1 mod-10 check digit of ``digits`` (the identifier without its check digit)."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _digits_problem(value, lengths, kind, translate):
    if not value:
        return translate("No %(kind)s given.", kind=kind)
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return translate("The %(kind)s %(value)s is not made of digits only.", kind=kind, value=value)
    if len(value) not in lengths:
        return translate(
            "The %(kind)s %(value)s has %(count)s digits, not %(lengths)s.",
            kind=kind,
            value=value,
            count=len(value),
            lengths=" or ".join(str(length) for length in lengths),
        )
    expected = check_digit(value[:-1])
    if int(value[-1]) != expected:
        return translate(
            "The %(kind)s %(value)s has a wrong check digit: %(digit)s, expected %(expected)s.",
            kind=kind,
            value=value,
            digit=value[-1],
            expected=expected,
        )
    return None


def gtin_problem(value, translate=_untranslated):
    """Why ``value`` is not a GTIN-8, -12, -13 or -14 (``None`` when it is one)."""
    return _digits_problem(value, GTIN_LENGTHS, "GTIN", translate)


def gtin14(value):
    """``value`` as the 14-digit GTIN of GS1 element strings and Digital Links, or
    ``False`` when it is not a valid GTIN."""
    return not gtin_problem(value) and value.zfill(14)


def gln_problem(value, translate=_untranslated):
    """Why ``value`` is not a 13-digit Global Location Number (``None`` when it is one)."""
    return _digits_problem(value, (13,), "GLN", translate)


def is_gln(value):
    return not gln_problem(value)


def lot_problem(value, ai=AI_LOT, translate=_untranslated):
    """Why ``value`` cannot be carried by AI (10) lot or (21) serial (``None`` when it
    can): at most 20 characters, each of GS1 character set 82."""
    kind = translate("serial number") if ai == AI_SERIAL else translate("lot number")
    if not value:
        return translate("No %(kind)s given.", kind=kind)
    if len(value) > LOT_MAX_LENGTH:
        return translate(
            "The %(kind)s %(value)s is %(count)s characters long; GS1 AI (%(ai)s) carries at most 20.",
            kind=kind,
            value=value,
            count=len(value),
            ai=ai,
        )
    wrong = sorted({char for char in value if char not in CHARSET_82})
    if wrong:
        return translate(
            "The %(kind)s %(value)s has characters GS1 AI (%(ai)s) cannot encode: %(chars)s.",
            kind=kind,
            value=value,
            ai=ai,
            chars=" ".join(repr(char) for char in wrong),
        )
    return None


def yymmdd(date):
    """A date (or datetime) as GS1's YYMMDD."""
    if isinstance(date, datetime.datetime):
        date = date.date()
    return date.strftime("%y%m%d")


def _elements(gtin, lot=None, serial=None, expiry=None):
    """The (AI, value) pairs in print order: fixed-length ones first, the variable-length
    lot and serial last (so only the lot needs a separator when a serial follows)."""
    elements = [(AI_GTIN, gtin14(gtin) or gtin)]
    if expiry:
        elements.append((AI_EXPIRY, yymmdd(expiry) if not isinstance(expiry, str) else expiry))
    if lot:
        elements.append((AI_LOT, lot))
    if serial:
        elements.append((AI_SERIAL, serial))
    return elements


def element_string(gtin, lot=None, serial=None, expiry=None):
    """The human-readable element string, AIs in parentheses:
    ``(01)00614141999996(17)261231(10)AB-12``."""
    return "".join(f"({ai}){value}" for ai, value in _elements(gtin, lot, serial, expiry))


def barcode_string(gtin, lot=None, serial=None, expiry=None):
    """The element string as a GS1 barcode carries it: FNC1 first (written as GS), the
    element strings concatenated, a GS after a variable-length one (lot, serial) that is
    not the last: ``<GS>01006141419999961726123110AB-12<GS>21S1``."""
    parts = []
    elements = _elements(gtin, lot, serial, expiry)
    for index, (ai, value) in enumerate(elements):
        parts.append(f"{ai}{value}")
        if ai in (AI_LOT, AI_SERIAL) and index < len(elements) - 1:
            parts.append(GS)
    return GS + "".join(parts)


def digital_link(gtin, lot=None, serial=None, expiry=None, domain=DIGITAL_LINK_DOMAIN):
    """The GS1 Digital Link URI: ``https://id.gs1.org/01/<GTIN-14>/10/<lot>/21/<serial>``,
    the expiry as ``?17=YYMMDD``. Values are percent-encoded as the standard asks: every
    character but the URI's unreserved ones (``A-Z a-z 0-9 - . _``), so ``/``, ``%``,
    ``?``, ``&``, ``+``... of set 82 never change what the URI means."""
    path = [f"{domain.rstrip('/')}/01/{gtin14(gtin) or gtin}"]
    if lot:
        path.append(f"10/{quote(lot, safe='')}")
    if serial:
        path.append(f"21/{quote(serial, safe='')}")
    uri = "/".join(path)
    if expiry:
        uri += f"?17={yymmdd(expiry) if not isinstance(expiry, str) else expiry}"
    return uri


def human_to_barcode(content):
    """A human-readable element string ``(01)...(10)...`` as a barcode's content (FNC1
    first, GS separators); anything else is returned as it is. An AI is 2 to 4 digits in
    parentheses (character set 82 allows parentheses in a lot: such a lot is read as
    printed, which a human-readable string cannot tell apart)."""
    content = (content or "").strip()
    if not content.startswith("("):
        return content
    pieces = re.split(r"\((\d{2,4})\)", content)
    if pieces[0]:
        return content
    return GS + GS.join(ai + value for ai, value in zip(pieces[1::2], pieces[2::2], strict=True))


def datamatrix_png(content, scale=3):
    """A GS1 DataMatrix of ``content`` (a :func:`barcode_string`) as PNG bytes, drawn by
    BWIPP through ``treepoem`` (Ghostscript): FNC1 in first position, FNC1 separators."""
    import treepoem  # noqa: PLC0415 (external dependency, loaded only to draw a label)

    data = "^FNC1" + content.removeprefix(GS).replace(GS, "^FNC1")
    image = treepoem.generate_barcode("datamatrix", data, {"parsefnc": True}, scale=scale)
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG")
    return buffer.getvalue()
