"""Browser tests: every notebook, opened fresh in a real JupyterLab, run, its apps moved."""
