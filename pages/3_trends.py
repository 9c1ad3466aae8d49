"""Page trends (being built)."""

from ui import widgets as w
from ui.frame import frame

view = frame("trends")
view.require_data()
w.page_title(view, "trends_title")
