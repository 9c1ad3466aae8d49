"""Page quality (being built)."""

from ui import widgets as w
from ui.frame import frame

view = frame("quality")
view.require_data()
w.page_title(view, "quality_title")
