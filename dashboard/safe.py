"""Untrusted text on its way to the screen or a download.

Article text (titles, sentences, outlet and source names) is data, never markup:

- :func:`md` escapes it for ``st.markdown``: HTML first (``html.escape``, so ``<img ...>``
  is shown, not parsed), then every Markdown and Streamlit directive character
  (``*_[]()`` links, ``$`` maths, ``:red[...]`` colours), so a title cannot become a
  link, a heading or a coloured banner.
- :func:`csv_safe` neutralises spreadsheet formulas in CSV downloads: a cell starting
  with ``= + - @`` (or a tab / carriage return) gets a leading apostrophe, so
  ``=HYPERLINK(...)`` in an article opens as text in Excel or LibreOffice.

``st.dataframe`` draws cells as text on a canvas, so tables get the raw text (escaping
it there would show ``&lt;img`` instead of what the article says).
"""

from __future__ import annotations

import html
import re

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:^])")


def md(text) -> str:
    """``text`` escaped for ``st.markdown`` (one line: newlines become spaces)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = html.escape(str(text), quote=False)
    s = re.sub(r"\s+", " ", s).strip()
    return _MD_SPECIAL.sub(r"\\\1", s)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot be read as formulas by a spreadsheet."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_cell)
    return out
