"""naqsha: conflict events, negotiation venues and territorial-control claims in
Afghanistan, geoparsed from news articles and mapped by source."""

__version__ = "0.1.0"
