"""Page compare (being built)."""

from ui import widgets as w
from ui.frame import frame

view = frame("compare")
view.require_data()
w.page_title(view, "compare_title")
