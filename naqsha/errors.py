"""The project's own exceptions. The CLI turns each into a one-paragraph message and a
non-zero exit; the library raises them with a message that names what was wrong and
what to do about it."""


class NaqshaError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing explanation."""

    exit_code = 2


class GeodataError(NaqshaError):
    """A boundary source is missing, corrupt, unexpected or cannot be fetched."""


class ChecksumMismatch(GeodataError):
    pass


class BoundariesMissing(GeodataError):
    """The normalised layers have not been built yet (run ``naqsha boundaries``)."""


class StoreError(NaqshaError):
    """The store is missing, from another version, or cannot be written."""


class StoreMissing(StoreError):
    pass


class CorpusError(NaqshaError):
    """The corpus folder itself is unusable (single bad articles are rejects, not errors)."""


class EvaluationError(NaqshaError):
    pass


class SnapshotError(NaqshaError):
    pass


class AssessmentError(NaqshaError):
    pass
