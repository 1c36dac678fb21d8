"""Real CV files for tests: PDFs written with pypdf (text drawn in Helvetica, so a reader extracts it),
DOCX files written with python-docx. The only test module allowed to import them (pyproject.toml)."""

from __future__ import annotations

import io
import zipfile

import docx
import pypdf
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

_HELVETICA = DictionaryObject(
    {
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    }
)


def _pdf_string(line: str) -> bytes:
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1") + b")"


def pdf_bytes(*pages: list[str], user_password: str | None = None, owner_password: str | None = None) -> bytes:
    """A PDF with one page per list of lines (Latin-1 text), each line drawn as text; encrypted (RC4,
    which pypdf opens without extra packages) when a password is given."""
    writer = pypdf.PdfWriter()
    for lines in pages:
        page = writer.add_blank_page(width=612, height=792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): _HELVETICA})}
        )
        content = DecodedStreamObject()
        content.set_data(
            b"BT /F1 11 Tf 72 740 Td 14 TL " + b" ".join(_pdf_string(x) + b" Tj T*" for x in lines) + b" ET"
        )
        page.replace_contents(content)
    if user_password is not None or owner_password is not None:
        writer.encrypt(user_password=user_password or "", owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_only_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages draw only shapes (as a scan draws only an image): no text to extract."""
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(width=612, height=792)
        content = DecodedStreamObject()
        content.set_data(b"0.5 g 72 72 468 648 re f")
        page.replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    """A Word document with these paragraphs, then a table with these rows when given."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The ZIP (DOCX) `data` with its member `name` holding `content` instead."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, content if member.filename == name else source.read(member))
    return out.getvalue()


def with_padded_document_xml(data: bytes, *, padding: int) -> bytes:
    """The DOCX `data` with `padding` spaces appended to word/document.xml: a few kilobytes zipped, any
    size unzipped (a zip bomb)."""
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    return replace_member(data, "word/document.xml", document + b" " * padding)
