"""Reading a CV file: bytes in, `(content_type, text)` out, or `InvalidFile`. The one module that
imports pypdf and python-docx (a vendor wall, checked by import-linter).

Contract of `document_read(data=...)`:
- The type is decided by the bytes alone, never by a file name or a declared content type:
  `%PDF-` is a PDF (pypdf), a ZIP holding `word/document.xml` is a DOCX (python-docx: paragraphs and
  tables, in document order), and UTF-8 text (a BOM is allowed) that is mostly printable is plain text.
  The content type returned is one of `CONTENT_TYPES`.
- The text is whitespace-normalised (NFKC; runs of spaces and tabs become one space, lines are trimmed,
  at most one blank line in a row; control characters, which PostgreSQL cannot store, are dropped) and
  at most `MAX_TEXT_CHARS` long.
- Anything else raises `InvalidFile` (400 `invalid_file`) with a sentence the candidate can act on: an
  unknown type, an encrypted or damaged PDF, a PDF with no text layer (scanned), a damaged DOCX, a file
  with no text. No exception of pypdf, python-docx, zipfile or lxml leaves this module.
- Hostile files are bounded: at most `MAX_PDF_PAGES` pages are read, pypdf's decompression limits are
  tightened, and a DOCX whose members would inflate beyond `MAX_DOCX_XML_BYTES` (the document) or
  `MAX_DOCX_UNZIPPED_BYTES` (all of them) is refused before any of it is decompressed.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterator

import docx
import pypdf
from docx.table import Table
from docx.text.paragraph import Paragraph

from config.errors import ApplicationError

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT = "text/plain"
CONTENT_TYPES = (PDF, DOCX, TXT)

MAX_PDF_PAGES = 50
MAX_TEXT_CHARS = 50_000
# A CV's word/document.xml is tens of kilobytes; python-docx holds every member of the package in memory.
MAX_DOCX_XML_BYTES = 10 * 1024 * 1024
MAX_DOCX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_DOCX_MEMBERS = 1_000
# No CV page holds a stream anywhere near this once decompressed; pypdf's own default is 75 MB per stream.
MAX_PDF_STREAM_BYTES = 20_000_000
# Fewer letters and digits than this in a PDF: it is an image of text (a scan, a photo), perhaps with
# a page number or a scanner app's watermark as its only text.
MIN_PDF_TEXT_CHARS = 50
# Share of characters of a text file that must be printable or white space.
MIN_PRINTABLE_SHARE = 0.95

UNKNOWN_TYPE = "Send a PDF, DOCX or plain-text CV."
ENCRYPTED_PDF = "This PDF is password-protected. Remove the password (print it to a new PDF) or upload a DOCX."
DAMAGED_PDF = "This PDF cannot be read; it may be damaged. Export it again, or upload a DOCX."
SCANNED_PDF = (
    "This PDF has no text we can read: it looks scanned or made of images. "
    "Upload a PDF exported from your editor (with selectable text) or a DOCX."
)
DAMAGED_DOCX = "This DOCX cannot be read; it may be damaged. Save it again, or upload a PDF."
TOO_BIG_DOCX = "This DOCX is too large once unpacked. Remove images or embedded files, or upload a PDF."
NO_TEXT = "This file has no text. Send a PDF, DOCX or plain-text CV."

_UTF8_BOM = b"\xef\xbb\xbf"
_ZIP_MAGIC = b"PK\x03\x04"
_DOCX_MAIN = "word/document.xml"
# Characters that a PDF or a word processor leaves in text but that carry nothing: controls (NUL
# cannot be stored in PostgreSQL), lone surrogates (not encodable as UTF-8), soft hyphens, zero-width
# and other format characters.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Cf"})
_BLANK_RUNS = re.compile(r"\n{3,}")


class InvalidFile(ApplicationError):
    status_code = 400
    code = "invalid_file"
    default_message = UNKNOWN_TYPE


def document_read(*, data: bytes) -> tuple[str, str]:
    """`(content_type, text)` of a CV file, decided by its bytes; `InvalidFile` for anything we cannot read.

    See the module docstring for the full contract (types, normalisation, bounds).
    """
    if data[:1024].lstrip()[:5] == b"%PDF-":
        content_type, raw, minimum, empty = PDF, _pdf_text(data), MIN_PDF_TEXT_CHARS, SCANNED_PDF
    elif data.startswith(_ZIP_MAGIC):
        content_type, raw, minimum, empty = DOCX, _docx_text(data), 1, NO_TEXT
    else:
        content_type, raw, minimum, empty = TXT, _plain_text(data), 1, NO_TEXT
    text = normalize_text(raw)
    if sum(1 for char in text if char.isalnum()) < minimum:
        raise InvalidFile(empty)
    return content_type, text


def normalize_text(text: str) -> str:
    """`text` as stored: NFKC, one space between words, trimmed lines, no run of blank lines, no control
    or format characters, at most MAX_TEXT_CHARS characters."""
    text = unicodedata.normalize("NFKC", text)
    lines = []
    # splitlines() also breaks at form feeds (page breaks), vertical tabs and Unicode line separators.
    for line in text.splitlines():
        kept = "".join(char for char in line.replace("\t", " ") if _kept(char))
        lines.append(" ".join(kept.split()))
    text = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
    return text[:MAX_TEXT_CHARS].rstrip()


def _kept(char: str) -> bool:
    return unicodedata.category(char) not in _DROPPED_CATEGORIES


# --- PDF ---------------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    limits = {
        name: MAX_PDF_STREAM_BYTES
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "maximum_declared_stream_length",
        )
    }
    try:
        with pypdf.apply_configuration(**limits):
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                _pdf_decrypt(reader)
            return _bounded_join(page.extract_text() or "" for page in _first_pages(reader))
    except InvalidFile:
        raise
    except Exception as error:  # pypdf raises far more than its own PyPdfError on a damaged file
        logger.info("unreadable PDF (%s): %s", type(error).__name__, error)
        raise InvalidFile(DAMAGED_PDF) from None


def _pdf_decrypt(reader: pypdf.PdfReader) -> None:
    """Open a PDF encrypted with an empty user password (only editing is restricted); refuse any other."""
    try:
        opened = reader.decrypt("")
    except Exception as error:  # an unsupported algorithm (AES needs `cryptography`), a broken /Encrypt
        logger.info("encrypted PDF not opened (%s): %s", type(error).__name__, error)
        opened = pypdf.PasswordType.NOT_DECRYPTED
    if opened == pypdf.PasswordType.NOT_DECRYPTED:
        raise InvalidFile(ENCRYPTED_PDF)


def _first_pages(reader: pypdf.PdfReader) -> Iterator[pypdf.PageObject]:
    for number, page in enumerate(reader.pages):
        if number == MAX_PDF_PAGES:
            return
        yield page


# --- DOCX --------------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    _docx_check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        return _bounded_join(_docx_blocks(document))
    except Exception as error:  # python-docx, lxml and zipfile errors alike
        logger.info("unreadable DOCX (%s): %s", type(error).__name__, error)
        raise InvalidFile(DAMAGED_DOCX) from None


def _docx_check_package(data: bytes) -> None:
    """A Word document whose declared sizes are within bounds; nothing is decompressed here.

    zipfile never inflates a member past its declared size (it stops there and fails the CRC check),
    so declared sizes bound what python-docx may later hold in memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise InvalidFile(UNKNOWN_TYPE) from None
    names = {member.filename: member for member in members}
    if _DOCX_MAIN not in names:
        raise InvalidFile(UNKNOWN_TYPE)  # another ZIP-based format (XLSX, ODT, a plain archive)
    if (
        len(members) > MAX_DOCX_MEMBERS
        or names[_DOCX_MAIN].file_size > MAX_DOCX_XML_BYTES
        or sum(member.file_size for member in members) > MAX_DOCX_UNZIPPED_BYTES
    ):
        raise InvalidFile(TOO_BIG_DOCX)


def _docx_blocks(document) -> Iterator[str]:
    """Paragraphs and table rows in document order; a row is its cells joined by " | "."""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    # A merged cell is returned once per grid column it spans.
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                yield " | ".join(cells)


# --- Plain text --------------------------------------------------------------------------------------


def _plain_text(data: bytes) -> str:
    if data.startswith(b"{\\rtf"):
        raise InvalidFile(UNKNOWN_TYPE)  # RTF is text, but its markup would be read as the CV
    try:
        text = data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidFile(UNKNOWN_TYPE) from None
    # Only this much is kept (normalisation removes whitespace, hence twice), so only this much is judged.
    text = text[: 2 * MAX_TEXT_CHARS]
    if not text.strip():
        raise InvalidFile(NO_TEXT)
    printable = sum(1 for char in text if char.isprintable() or char.isspace())
    if printable < MIN_PRINTABLE_SHARE * len(text):
        raise InvalidFile(UNKNOWN_TYPE)
    return text


def _bounded_join(parts: Iterator[str]) -> str:
    """Parts joined by newlines, read no further (and cut) once the text is long enough to fill
    MAX_TEXT_CHARS twice over (normalisation removes whitespace): one page may hold megabytes."""
    collected: list[str] = []
    length = 0
    for part in parts:
        collected.append(part)
        length += len(part) + 1
        if length > 2 * MAX_TEXT_CHARS:
            break
    return "\n".join(collected)[: 2 * MAX_TEXT_CHARS]
