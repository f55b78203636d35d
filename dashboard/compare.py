"""The comparison view: two assessment sources side by side, where they disagree, and the
national timeline of control figures by source with the claims found in articles.

The data work is in plain functions (tested without Streamlit):

- :func:`assessment_choices`, :func:`district_values`: one source's district values on
  the common scale (split districts averaged, and flagged);
- :func:`divergence`: two sources district by district (difference on the common scale,
  -4..4, and whether a district is assessed by only one of them);
- :func:`national_series`: national figures by source and date (the national series,
  and the share of assessed districts for each district-level import);
- :func:`claim_points`: numeric national claims from articles, on the same axes;
- :func:`choropleth_layer`, :func:`divergence_layer`: pydeck layers.

:func:`render_compare_tab` is the Streamlit tab the dashboard's app calls;
:func:`render_compare_snapshot` draws the comparison as a file.

This module is the import surface; the work is done in ``compare_data`` (plain
functions), ``compare_layers`` (colours and pydeck layers), ``compare_view`` (the
Streamlit tab) and ``compare_snapshot`` (PNG/SVG/PDF/HTML files).
"""

from __future__ import annotations

from .compare_data import (
    COMMON_LABELS, SCORE_KEY, SERIES_METRICS, assessment_choices, assessment_summary, claim_points,
    district_values, divergence, divergence_summary, national_series, national_table, read_assessments,
    read_national,
)
from .compare_layers import (
    DIVERGENCE_COLORS, MIXED_LINE, NOT_ASSESSED, ONE_SIDE_COLOR, SCORE_COLORS, TOOLTIP, choropleth_layer,
    divergence_layer, make_deck, province_outline_layer, score_color,
)
from .compare_snapshot import COMPARE_FORMATS, compare_download_name, render_compare_snapshot
from .compare_view import DIVERGENCE_MD, LEGEND_MD, _md, render_compare_tab, timeline_chart

__all__ = [
    # plain data functions
    "read_assessments", "read_national", "assessment_summary", "national_table", "assessment_choices",
    "district_values", "divergence", "divergence_summary", "national_series", "claim_points",
    "COMMON_LABELS", "SCORE_KEY", "SERIES_METRICS",
    # colours and pydeck layers
    "score_color", "choropleth_layer", "divergence_layer", "province_outline_layer", "make_deck", "TOOLTIP",
    "SCORE_COLORS", "DIVERGENCE_COLORS", "MIXED_LINE", "ONE_SIDE_COLOR", "NOT_ASSESSED",
    # the Streamlit tab
    "render_compare_tab", "timeline_chart", "LEGEND_MD", "DIVERGENCE_MD", "_md",
    # snapshots
    "render_compare_snapshot", "compare_download_name", "COMPARE_FORMATS",
]
