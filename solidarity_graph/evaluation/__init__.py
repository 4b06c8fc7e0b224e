"""Measuring extraction on third-party labelled data (``solidarity eval``) into docs/quality.md."""
