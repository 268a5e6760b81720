"""What the pages and the documents both draw with: the message catalogue and the translator
(the reader's language), the Jinja2 environment over the templates, and the progress view.

The template and message files stay with the pages (`service/web/templates`, `.../messages`,
shipped as `service.web`'s package data); this package points at them, so a document is drawn
without importing a page."""
