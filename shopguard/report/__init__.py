"""The evidence report: a PDF (and page images) a seller uploads with an appeal."""
